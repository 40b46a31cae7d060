import * as tf from '@tensorflow/tfjs'
import type { Experiment } from '../shared/experiments'
import { runMetricsSchema, type RunMetrics } from '../shared/latent-analysis'
import type { RunDone, RunProgress } from '../shared/run-protocol'
import type { BackendName } from '../shared/schemas'
import type { RunRecord } from '../shared/session'
import type { Model } from '../ml/inference'
import { kindOf } from '../ml/kinds/registry'
import type { Networks, ProgressLine } from '../ml/kinds/types'
import type { TrainControl } from '../ml/train-autoencoder'

// The one run driver, for the app's training worker and the command line alike: it trains an
// experiment with its kind's module, sends the run's progress, checkpoints it now and then, and
// builds the record a session stores. The same experiment and seed give the same record here
// and there (test/run-job.test.ts).

/** At most one progress event per this many milliseconds (and one at each pause and the end). */
export const PROGRESS_INTERVAL_MS = 100

/** A run's record without its weights (they stay with the model until a session saves them). */
export type RunSummary = Omit<RunRecord, 'networks'>

export interface Checkpoint {
  networks: Networks
  /** The run as it would be recovered from this checkpoint. */
  record: RunSummary
}

export interface RunJobOptions {
  runId: string
  datasetsDir: string
  backend: BackendName
  emit(progress: RunProgress): void
  /** The caller's pause and stop (the worker's control word, the command line's Ctrl+C). */
  control(onPause: (paused: boolean) => void): TrainControl
  /** Sends the weights and the record so far every `intervalMs` of training. */
  checkpoints?: { intervalMs: number; send(checkpoint: Checkpoint): Promise<void> | void }
  /** Send progress at every step instead of a few a second (the command line prints its own). */
  everyStep?: boolean
}

export interface RunJobResult {
  model: Model
  record: RunSummary
  done: RunDone
}

export async function runJob(
  experiment: Experiment,
  options: RunJobOptions
): Promise<RunJobResult> {
  const kind = kindOf(experiment)
  const started = performance.now()
  let pausedSeconds = 0
  let pausedAt = 0
  const elapsed = (): number => (performance.now() - started) / 1000 - pausedSeconds
  let lastProgress = Number.NEGATIVE_INFINITY
  let latest: ProgressLine | null = null
  const history: Record<string, number[]> = {}
  const environment = { backend: options.backend, versions: { tfjs: tf.version_core } }
  const base = { id: options.runId, experiment, environment }

  let lastCheckpoint = performance.now()
  const checkpoint = async (current: () => Model): Promise<void> => {
    const every = options.checkpoints
    if (!every || performance.now() - lastCheckpoint < every.intervalMs) return
    lastCheckpoint = performance.now()
    const epochs = latest?.epoch ?? 0
    await every.send({
      networks: await kind.save(current()),
      record: {
        ...base,
        status: 'stopped',
        message: `recovered from a checkpoint at epoch ${epochs}: the lab stopped before the run finished`,
        epochs,
        seconds: elapsed(),
        finalLoss: latest?.loss ?? null,
        history: structuredClone(history),
        glyphs: null,
        denoising: null
      }
    })
  }

  const run = await kind.train(experiment, options.datasetsDir, {
    record: (row) => {
      for (const [key, value] of Object.entries(row)) (history[key] ??= []).push(value)
    },
    progress: (payload) => {
      lastProgress = performance.now()
      const line = kind.line(payload, experiment)
      if (line.loss !== null || !latest) latest = line
      options.emit({ ...payload, runId: options.runId, kind: experiment.kind } as RunProgress)
    },
    due: (intervalMs = PROGRESS_INTERVAL_MS) =>
      options.everyStep === true || performance.now() - lastProgress >= intervalMs,
    elapsed,
    control: (onPause) => {
      const inner = options.control((paused) => {
        if (paused) pausedAt = performance.now()
        else pausedSeconds += (performance.now() - pausedAt) / 1000
        onPause?.(paused)
      })
      return {
        checkpoint: async (current) => {
          const go = await inner.checkpoint(current)
          if (go === 'continue') await checkpoint(current)
          return go
        },
        between: inner.between,
        shouldStop: inner.shouldStop
      }
    }
  })
  const seconds = elapsed()
  const metrics = await endMetrics(experiment, run.model, run.outcome, options.datasetsDir)
  const record: RunSummary = {
    ...base,
    ...run.outcome,
    seconds,
    history,
    ...run.record,
    ...(metrics ? { metrics } : {})
  }
  const done = {
    runId: options.runId,
    kind: experiment.kind,
    backend: options.backend,
    seconds,
    ...run.outcome,
    ...run.result,
    ...(metrics ? { metrics } : {})
  } as RunDone
  return { model: run.model, record, done }
}

/**
 * The run's metrics as it ends, by its kind's `analyze` (no projection): a glyph run's codes
 * (32 glyphs: milliseconds), a VAE's on the first 2,000 test images (ml/kinds/vae.ts; the
 * record's `codes` says how many). None for a kind without `analyze`, a run that diverged or
 * never finished an epoch, or figures that are not finite.
 */
async function endMetrics(
  experiment: Experiment,
  model: Model,
  outcome: { status: RunDone['status']; epochs: number },
  datasetsDir: string
): Promise<RunMetrics | null> {
  const analyze = kindOf(experiment).analyze
  const ended = outcome.status !== 'diverged' && outcome.status !== 'failed'
  if (!analyze || outcome.epochs === 0 || !ended) return null
  const analysis = await analyze(model, experiment, datasetsDir, null)
  const parsed = runMetricsSchema.safeParse(analysis.metrics)
  return parsed.success ? parsed.data : null
}
