import type { Model } from '../ml/inference'
import type { ImageDatasetId } from '../shared/schemas'

// The trained models this worker holds, by run id: every run trained here or loaded from a
// session, for as long as the worker lives (a run's weights are never dropped while a session
// may save it). Sessions load in two steps: their models are staged, then committed together
// once every run of the file has loaded, or discarded, so a refused file changes nothing.

const models = new Map<string, Model>()
/** The data set each VAE run trained on (its test set is the one to encode). */
const vaeDatasets = new Map<string, ImageDatasetId>()
const staged = new Map<string, Map<string, { model: Model; dataset?: ImageDatasetId }>>()

export function keepModel(runId: string, model: Model, dataset?: ImageDatasetId): void {
  const old = models.get(runId)
  if (old && old !== model) old.dispose()
  models.set(runId, model)
  if (dataset) vaeDatasets.set(runId, dataset)
}

export function modelOfRun(runId: string): Model | undefined {
  return models.get(runId)
}

export function datasetOfRun(runId: string): ImageDatasetId | undefined {
  return vaeDatasets.get(runId)
}

export function stageModel(
  stage: string,
  runId: string,
  model: Model,
  dataset?: ImageDatasetId
): void {
  let runs = staged.get(stage)
  if (!runs) {
    runs = new Map()
    staged.set(stage, runs)
  }
  runs.get(runId)?.model.dispose()
  runs.set(runId, { model, dataset })
}

/** Makes a staged load's models the runs' models (replacing any with the same ids). */
export function commitStage(stage: string): void {
  for (const [runId, { model, dataset }] of staged.get(stage) ?? [])
    keepModel(runId, model, dataset)
  staged.delete(stage)
}

export function abortStage(stage: string): void {
  for (const { model } of staged.get(stage)?.values() ?? []) model.dispose()
  staged.delete(stage)
}
