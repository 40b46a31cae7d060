import type { Experiment } from '../shared/experiments'
import type { BackendName } from '../shared/schemas'
import type { RunRecord } from '../shared/session'
import type { Model } from '../ml/inference'
import { kindOf } from '../ml/kinds/registry'
import type { ProgressLine } from '../ml/kinds/types'
import type { TrainControl } from '../ml/train-autoencoder'
import { runJob } from '../worker/run-job'

// Runs an experiment headlessly (the CLI's `train`) through the same run driver as the app's
// worker, so the session record is the same; rebuilds a trained model from a record (the
// CLI's `eval`) and recomputes its metrics.

export interface ExperimentContext {
  datasetsDir: string
  backend: BackendName
  versions: Record<string, string>
}

export type ProgressUpdate = ProgressLine

export interface ExperimentHooks {
  onProgress?: (update: ProgressUpdate) => void
  /** Stop (and pause) for the run; by default it runs to its end. */
  control?: TrainControl
}

const newRunId = (): string =>
  `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`

const runsToEnd: TrainControl = { checkpoint: () => 'continue', shouldStop: () => false }

/** Trains an experiment in this process; its record, weights included, for a session file. */
export async function runExperiment(
  experiment: Experiment,
  context: ExperimentContext,
  hooks: ExperimentHooks = {},
  runId = newRunId()
): Promise<RunRecord> {
  const kind = kindOf(experiment)
  // Within an epoch, the loss shown is the last finished epoch's.
  let lastLoss: number | null = null
  const { model, record } = await runJob(experiment, {
    runId,
    datasetsDir: context.datasetsDir,
    backend: context.backend,
    emit: (progress) => {
      const line = kind.line(progress, experiment)
      if (line.within) line.loss ??= lastLoss
      else lastLoss = line.loss
      hooks.onProgress?.(line)
    },
    control: () => hooks.control ?? runsToEnd,
    everyStep: true
  })
  try {
    const versions = { ...context.versions, ...record.environment.versions }
    return {
      ...record,
      environment: { ...record.environment, versions },
      networks: await networksOf(model, experiment)
    }
  } finally {
    model.dispose()
  }
}

/** A trained model's networks in tfjs-layers format, for a session file. */
export function networksOf(model: Model, experiment: Experiment): Promise<RunRecord['networks']> {
  return kindOf(experiment).save(model)
}

/** Rebuilds the trained model of a run record from its saved weights. */
export function modelOf(record: Pick<RunRecord, 'experiment' | 'networks'>): Promise<Model> {
  return kindOf(record.experiment).load(record.experiment, record.networks)
}

export interface Evaluation {
  lines: [string, string][]
}

/** Recomputes a run's metrics from its saved weights and the data sets. */
export async function evaluateRun(record: RunRecord, datasetsDir: string): Promise<Evaluation> {
  const model = await modelOf(record)
  try {
    const lines = await kindOf(record.experiment).evaluate(
      record.experiment,
      record,
      model,
      datasetsDir
    )
    return { lines }
  } finally {
    model.dispose()
  }
}
