import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../ml/backend'
import { trainLetters } from '../ml/letters'
import { decode, encode } from '../ml/inference'
import { runVaeJob, testSetCodes } from './vae-job'
import { lettersResults, modelOf, networksOf } from '../services/experiments'
import type { EpochRecord } from '../ml/train-autoencoder'
import {
  fromWorkerSchema,
  toWorkerSchema,
  workerDataSchema,
  type FromWorker,
  type ToWorker
} from '../services/worker-protocol'
import { describeIssues } from '../shared/contract'
import type { BackendName } from '../shared/schemas'
import { checkpoints, trainControl } from './control'
import { abortStage, commitStage, datasetOfRun, keepModel, modelOfRun, stageModel } from './models'

// The training worker: picks a backend once, then runs one training at a time, streaming
// throttled progress. Pause and stop arrive through a shared control word, checked between
// epochs (slices of a batch for a VAE), where the loop also lets requests through.

const PROGRESS_INTERVAL_MS = 100

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
  let pausedAt = 0
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
    control: trainControl(control, job.runId, {
      onPause: (paused) => {
        if (paused) {
          flush(true)
          pausedAt = performance.now()
        } else {
          pausedSeconds += (performance.now() - pausedAt) / 1000
          flush(false)
        }
      }
    })
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

type Request = Extract<ToWorker, { id: number }>
type Reply = Extract<FromWorker, { type: 'inferred' }>['result']

/** Answers one request (everything but starting a run). */
async function answer(job: Request): Promise<Reply> {
  switch (job.type) {
    case 'testSet': {
      const model = modelOfRun(job.runId)
      if (model?.kind !== 'vae') throw new Error(`run ${job.runId} has no trained VAE in this lab`)
      // The test set of the data set it trained on.
      return testSetCodes(model, job.datasetsDir, datasetOfRun(job.runId) ?? 'mnist')
    }
    case 'exportModel': {
      const model = modelOfRun(job.runId)
      if (!model) throw new Error(`run ${job.runId} has no trained model in this lab`)
      return { networks: await networksOf(model) }
    }
    case 'importModel': {
      const model = await modelOf({ experiment: job.experiment, networks: job.networks })
      const experiment = job.experiment
      stageModel(
        job.stage,
        job.runId,
        model,
        experiment.kind === 'vae' ? experiment.dataset : undefined
      )
      if (experiment.kind === 'vae') return { imported: true, results: null }
      const results =
        job.resultsFrom !== undefined && model.kind === 'autoencoder'
          ? // Best effort: a session whose font is gone still opens, without results.
            await lettersResults(model, experiment, job.resultsFrom).catch(() => null)
          : null
      return { imported: true, results }
    }
    case 'commitImport':
      commitStage(job.stage)
      return { staged: true }
    case 'abortImport':
      abortStage(job.stage)
      return { staged: true }
    case 'decode':
    case 'encode': {
      const model = modelOfRun(job.request.runId)
      if (!model)
        throw new Error(
          `run ${job.request.runId} has no trained model in this lab (train it, or reopen its session)`
        )
      if (job.type === 'decode') return { patterns: decode(model, job.request.points) }
      const points = encode(model, job.request.patterns)
      return { points, reconstructions: decode(model, points) }
    }
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
  const failed = (id: number, error: unknown): void =>
    post(port, {
      type: 'inferFailed',
      id,
      message: error instanceof Error ? error.message : String(error)
    })
  let queue = Promise.resolve()
  port.on('message', (raw: unknown) => {
    const parsed = toWorkerSchema.safeParse(raw)
    if (!parsed.success) {
      // A request the host is waiting for gets an answer, even when it cannot be carried out.
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id === 'number' && Number.isInteger(id))
        failed(id, `the training worker refused the request: ${describeIssues(parsed.error)}`)
      return
    }
    const job = parsed.data
    if (job.type === 'start' || job.type === 'startVae') {
      const failure = (error: unknown) => ({
        runId: job.runId,
        status: 'failed' as const,
        message: `training failed: ${error instanceof Error ? error.message : String(error)}`,
        backend: choice.backend,
        epochs: 0,
        seconds: 0,
        finalLoss: null
      })
      queue = queue.then(() =>
        job.type === 'startVae'
          ? runVaeJob(
              (m) => post(port, m),
              trainControl(control, job.runId),
              choice.backend,
              job,
              (runId, model) => keepModel(runId, model, job.config.dataset)
            ).catch((error: unknown) => post(port, { type: 'vaeDone', done: failure(error) }))
          : runTraining(port, control, choice.backend, job).catch((error: unknown) =>
              post(port, {
                type: 'done',
                done: { ...failure(error), glyphs: [], denoising: null }
              })
            )
      )
      return
    }
    answer(job).then(
      (result) => post(port, { type: 'inferred', id: job.id, result }),
      (error: unknown) => failed(job.id, error)
    )
  })
}

void main()
