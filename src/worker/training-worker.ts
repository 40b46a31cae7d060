import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../ml/backend'
import { useImportedDatasets } from '../ml/data/datasets'
import { decode, encode } from '../ml/inference'
import { kindOf } from '../ml/kinds/registry'
import { describeIssues } from '../shared/contract'
import { trainControl } from './control'
import { abortStage, commitStage, heldModel, keepModel, modelOfRun, stageModel } from './models'
import {
  fromWorkerSchema,
  toWorkerSchema,
  workerDataSchema,
  type FromWorker,
  type ToWorker,
  type WorkerRequest
} from './protocol'
import { runJob } from './run-job'

// The training worker: picks a backend once, then runs one training at a time through the run
// driver (run-job.ts), and answers requests about the models it holds. Pause and stop arrive
// through a shared control word, checked between epochs (slices of a batch for a VAE), where
// the loop also lets requests through.

type Port = NonNullable<typeof parentPort>

function post(port: Port, message: FromWorker): void {
  port.postMessage(fromWorkerSchema.parse(message))
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** Answers one request (everything but starting a run). */
async function answer(job: WorkerRequest): Promise<unknown> {
  switch (job.type) {
    case 'testSet': {
      // The kinds with a test set to explore (the VAE's image data sets) say how to encode it.
      const held = heldModel(job.runId)
      const testSet = held && kindOf(held.experiment).testSet
      if (!held || !testSet) throw new Error(`run ${job.runId} has no trained VAE in this lab`)
      return testSet(held.model, held.experiment, job.datasetsDir)
    }
    case 'analyze': {
      const held = modelOfRun(job.runId)
      const analyze = kindOf(held.experiment).analyze
      if (!analyze) throw new Error(`run ${job.runId} has no latent space to analyse`)
      const analysis = await analyze(held.model, held.experiment, job.datasetsDir, job.projection)
      return { runId: job.runId, ...analysis }
    }
    case 'exportModel': {
      const held = modelOfRun(job.runId)
      return { networks: await kindOf(held.experiment).save(held.model) }
    }
    case 'importModel': {
      const { experiment } = job
      const kind = kindOf(experiment)
      const model = await kind.load(experiment, job.networks)
      stageModel(job.stage, job.runId, { model, experiment })
      // Best effort: a session whose character set is gone still opens, without results.
      const results =
        job.resultsFrom === undefined
          ? null
          : await kind.results(model, experiment, job.resultsFrom).catch(() => null)
      return { imported: true, results }
    }
    case 'commitImport':
      commitStage(job.stage)
      return { staged: true }
    case 'abortImport':
      abortStage(job.stage)
      return { staged: true }
    case 'decode':
      return {
        patterns: decode(
          modelOfRun(job.request.runId).model,
          job.request.points,
          job.request.labels
        )
      }
    case 'encode': {
      const { model } = modelOfRun(job.request.runId)
      const { patterns, labels } = job.request
      const points = encode(model, patterns, labels)
      return { points, reconstructions: decode(model, points, labels) }
    }
  }
}

/** Trains one run; its end is one `done`, or one `failed` whatever went wrong. */
async function train(
  port: Port,
  control: Int32Array,
  backend: Parameters<typeof runJob>[1]['backend'],
  checkpointMs: number,
  job: Extract<ToWorker, { type: 'start' }>
): Promise<void> {
  try {
    const { model, record, done } = await runJob(job.experiment, {
      runId: job.runId,
      datasetsDir: job.datasetsDir,
      backend,
      emit: (progress) => post(port, { type: 'progress', progress }),
      control: (onPause) => trainControl(control, onPause),
      checkpoints: {
        intervalMs: checkpointMs,
        send: ({ networks, record }) =>
          post(port, { type: 'checkpoint', runId: job.runId, networks, record })
      }
    })
    keepModel(job.runId, { model, experiment: job.experiment })
    post(port, { type: 'done', done, record })
  } catch (error) {
    post(port, {
      type: 'failed',
      runId: job.runId,
      message: `training failed: ${messageOf(error)}`
    })
  }
}

async function main(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('training-worker must run as a worker thread')
  const data = workerDataSchema.parse(workerData)
  useImportedDatasets(data.importedDatasets)
  const control = new Int32Array(data.control)
  const choice = await chooseBackend({ preferred: data.preferredBackend, threads: data.threads })
  post(port, { type: 'ready', backend: choice.backend, note: choice.note, tfjs: tf.version_core })
  const failed = (id: number, message: string): void =>
    post(port, { type: 'inferFailed', id, message })
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
    if (job.type === 'start') {
      const checkpointMs = data.checkpointSeconds * 1000
      queue = queue.then(() => train(port, control, choice.backend, checkpointMs, job))
      return
    }
    answer(job).then(
      (result) => post(port, { type: 'inferred', id: job.id, result }),
      (error: unknown) => failed(job.id, messageOf(error))
    )
  })
}

void main()
