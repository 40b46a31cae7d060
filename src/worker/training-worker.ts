import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../ml/backend'
import { trainLetters } from '../ml/letters'
import { decode, encode } from '../ml/inference'
import type { Model } from '../ml/inference'
import { runVaeJob, testSetCodes } from './vae-job'
import { lettersResults, modelOf, networksOf } from '../services/experiments'
import type { EpochRecord, TrainControl } from '../ml/train-autoencoder'
import {
  Control,
  fromWorkerSchema,
  toWorkerSchema,
  workerDataSchema,
  type FromWorker,
  type ToWorker
} from '../services/worker-protocol'
import type { BackendName } from '../shared/schemas'

// The training worker: picks a backend once, then runs one training at a time, streaming
// throttled progress. Pause and stop arrive through a shared control word, checked between
// epochs, so they work even while the loop never yields to the event loop.

const PROGRESS_INTERVAL_MS = 100
/** Trained models kept for exploration (decode, encode), the most recent first. */
const KEEP_MODELS = 12
const models = new Map<string, Model>()

function keepModel(runId: string, model: Model): void {
  models.set(runId, model)
  while (models.size > KEEP_MODELS) {
    const oldest = models.keys().next().value as string
    models.get(oldest)?.dispose()
    models.delete(oldest)
  }
}

function post(port: NonNullable<typeof parentPort>, message: FromWorker): void {
  port.postMessage(fromWorkerSchema.parse(message))
}

async function runTraining(
  port: NonNullable<typeof parentPort>,
  control: Int32Array,
  backend: BackendName,
  job: Extract<ToWorker, { type: 'start' }>
): Promise<void> {
  const started = performance.now()
  let points: [number, number][] = []
  let lastPost = 0
  let lastStats: Pick<EpochRecord, 'epoch' | 'loss' | 'maxWrongPixels'> = {
    epoch: 0,
    loss: Number.NaN,
    maxWrongPixels: 35
  }
  let pausedSeconds = 0
  const elapsed = (): number => (performance.now() - started) / 1000 - pausedSeconds
  const flush = (paused: boolean): void => {
    const seconds = elapsed()
    post(port, {
      type: 'progress',
      progress: {
        runId: job.runId,
        epoch: lastStats.epoch,
        points: points.filter(([, loss]) => Number.isFinite(loss)),
        maxWrongPixels: Math.ceil(lastStats.maxWrongPixels),
        epochsPerSecond: seconds > 0 ? lastStats.epoch / seconds : 0,
        elapsedSeconds: seconds,
        paused
      }
    })
    points = []
    lastPost = performance.now()
  }
  const run = await trainLetters(job.glyphs, job.config, {
    onEpoch: (stats) => {
      lastStats = stats
      points.push([stats.epoch, stats.loss])
      if (performance.now() - lastPost >= PROGRESS_INTERVAL_MS) flush(false)
    },
    control: {
      checkpoint: async (current) => {
        await checkpoints.maybe(job.runId, current)
        if (Atomics.load(control, 0) === Control.pause) {
          flush(true)
          const pausedAt = performance.now()
          while (Atomics.load(control, 0) === Control.pause)
            Atomics.wait(control, 0, Control.pause, 1000)
          pausedSeconds += (performance.now() - pausedAt) / 1000
          if (Atomics.load(control, 0) !== Control.stop) flush(false)
        }
        return Atomics.load(control, 0) === Control.stop ? 'stop' : 'continue'
      },
      shouldStop: () => Atomics.load(control, 0) === Control.stop
    }
  })
  keepModel(job.runId, run.model)
  flush(false)
  post(port, {
    type: 'done',
    done: {
      runId: job.runId,
      backend,
      seconds: elapsed(),
      ...run.outcome
    }
  })
}

const vaeDatasets = new Map<string, 'mnist' | 'fashion-mnist'>()

/** Posts a run's weights every few seconds while it trains (set up in main). */
const checkpoints = {
  intervalMs: 15_000,
  post: (_message: FromWorker): void => undefined,
  last: new Map<string, number>(),
  async maybe(runId: string, current: () => Model): Promise<void> {
    const now = performance.now()
    const last = this.last.get(runId)
    if (last === undefined) {
      this.last.set(runId, now)
      return
    }
    if (now - last < this.intervalMs) return
    this.last.set(runId, now)
    this.post({ type: 'checkpoint', runId, networks: await networksOf(current()) })
  }
}

/** Pause and stop for a VAE run: the same shared control word, checked between batches. */
function vaeControl(control: Int32Array, runId: string): TrainControl {
  return {
    checkpoint: async (current) => {
      await checkpoints.maybe(runId, current)
      while (Atomics.load(control, 0) === Control.pause)
        Atomics.wait(control, 0, Control.pause, 1000)
      return Atomics.load(control, 0) === Control.stop ? 'stop' : 'continue'
    },
    shouldStop: () => Atomics.load(control, 0) === Control.stop
  }
}

async function main(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('training-worker must run as a worker thread')
  const data = workerDataSchema.parse(workerData)
  const control = new Int32Array(data.control)
  const choice = await chooseBackend({ preferred: data.preferredBackend, threads: data.threads })
  checkpoints.intervalMs = data.checkpointSeconds * 1000
  checkpoints.post = (message) => post(port, message)
  post(port, { type: 'ready', backend: choice.backend, note: choice.note, tfjs: tf.version_core })
  let queue = Promise.resolve()
  port.on('message', (raw: unknown) => {
    const parsed = toWorkerSchema.safeParse(raw)
    if (!parsed.success) return
    const job = parsed.data
    if (job.type === 'testSet') {
      const model = models.get(job.runId)
      if (model?.kind !== 'vae') {
        post(port, {
          type: 'inferFailed',
          id: job.id,
          message: `run ${job.runId} has no trained VAE in this lab`
        })
        return
      }
      // Dataset in the model's own config is not known here: the test set is the one it trained on.
      void testSetCodes(model, job.datasetsDir, vaeDatasets.get(job.runId) ?? 'mnist')
        .then((result) => post(port, { type: 'inferred', id: job.id, result }))
        .catch((error: unknown) =>
          post(port, {
            type: 'inferFailed',
            id: job.id,
            message: error instanceof Error ? error.message : String(error)
          })
        )
      return
    }
    if (job.type === 'exportModel' || job.type === 'importModel') {
      const task =
        job.type === 'exportModel'
          ? (async () => {
              const model = models.get(job.runId)
              if (!model) throw new Error(`run ${job.runId} has no trained model in this lab`)
              return { networks: await networksOf(model) }
            })()
          : (async () => {
              const model = await modelOf({ experiment: job.experiment, networks: job.networks })
              keepModel(job.runId, model)
              const experiment = job.experiment
              if (experiment.kind === 'vae') {
                vaeDatasets.set(job.runId, experiment.dataset)
                return { imported: true as const, results: null }
              }
              const results =
                job.resultsFrom !== undefined && model.kind === 'autoencoder'
                  ? // Best effort: a session whose font is gone still opens, without results.
                    await lettersResults(model, experiment, job.resultsFrom).catch(() => null)
                  : null
              return { imported: true as const, results }
            })()
      void task
        .then((result) => post(port, { type: 'inferred', id: job.id, result }))
        .catch((error: unknown) =>
          post(port, {
            type: 'inferFailed',
            id: job.id,
            message: error instanceof Error ? error.message : String(error)
          })
        )
      return
    }
    if (job.type === 'startVae') {
      vaeDatasets.set(job.runId, job.config.dataset)
      queue = queue.then(() =>
        runVaeJob(
          (m) => post(port, m),
          vaeControl(control, job.runId),
          choice.backend,
          job,
          keepModel
        ).catch((error: unknown) => {
          post(port, {
            type: 'vaeDone',
            done: {
              runId: job.runId,
              status: 'failed',
              message: `training failed: ${error instanceof Error ? error.message : String(error)}`,
              backend: choice.backend,
              epochs: 0,
              seconds: 0,
              finalLoss: null
            }
          })
        })
      )
      return
    }
    if (job.type === 'decode' || job.type === 'encode') {
      const model = models.get(job.request.runId)
      try {
        if (!model)
          throw new Error(
            `run ${job.request.runId} has no trained model in this lab (train it, or reopen its session)`
          )
        const result =
          job.type === 'decode'
            ? { patterns: decode(model, job.request.points) }
            : (() => {
                const points = encode(model, job.request.patterns)
                return { points, reconstructions: decode(model, points) }
              })()
        post(port, { type: 'inferred', id: job.id, result })
      } catch (error) {
        post(port, {
          type: 'inferFailed',
          id: job.id,
          message: error instanceof Error ? error.message : String(error)
        })
      }
      return
    }
    queue = queue.then(() =>
      runTraining(port, control, choice.backend, job).catch((error: unknown) => {
        post(port, {
          type: 'done',
          done: {
            runId: job.runId,
            status: 'failed',
            message: `training failed: ${error instanceof Error ? error.message : String(error)}`,
            backend: choice.backend,
            epochs: 0,
            seconds: 0,
            finalLoss: null,
            glyphs: [],
            denoising: null
          }
        })
      })
    )
  })
}

void main()
