import type { Experiment } from '../shared/experiments'
import type { Model } from '../ml/inference'

// The trained models this worker holds, by run id, with the experiment each trained: every run
// trained here or loaded from a session, for as long as the worker lives (a run's weights are
// never dropped while a session may save it). Sessions load in two steps: their models are
// staged, then committed together once every run of the file has loaded, or discarded, so a
// refused file changes nothing.

export interface HeldModel {
  model: Model
  experiment: Experiment
}

const models = new Map<string, HeldModel>()
const staged = new Map<string, Map<string, HeldModel>>()

export function keepModel(runId: string, held: HeldModel): void {
  const old = models.get(runId)
  if (old && old.model !== held.model) old.model.dispose()
  models.set(runId, held)
}

export function heldModel(runId: string): HeldModel | undefined {
  return models.get(runId)
}

/** A run's model, or an error that says the lab does not have it. */
export function modelOfRun(runId: string): HeldModel {
  const held = models.get(runId)
  if (!held)
    throw new Error(
      `run ${runId} has no trained model in this lab (train it, or reopen its session)`
    )
  return held
}

export function stageModel(stage: string, runId: string, held: HeldModel): void {
  let runs = staged.get(stage)
  if (!runs) {
    runs = new Map()
    staged.set(stage, runs)
  }
  runs.get(runId)?.model.dispose()
  runs.set(runId, held)
}

/** Makes a staged load's models the runs' models (replacing any with the same ids). */
export function commitStage(stage: string): void {
  for (const [runId, held] of staged.get(stage) ?? []) keepModel(runId, held)
  staged.delete(stage)
}

export function abortStage(stage: string): void {
  for (const { model } of staged.get(stage)?.values() ?? []) model.dispose()
  staged.delete(stage)
}
