import { Worker } from 'node:worker_threads'
import type { EventName, EventPayload } from '../shared/contract'
import type {
  BackendName,
  Experiment,
  VaeTrainConfig,
  VaeTestSetResult,
  DecodeRequest,
  DecodeResult,
  EncodeRequest,
  EncodeResult,
  Glyph,
  LetterTrainConfig
} from '../shared/schemas'
import { Control, fromWorkerSchema, type WorkerData } from './worker-protocol'
import type { RunRecord } from './session-file'

// Owns the training worker: starts it on first use, relays its events, and drives pause, resume
// and stop through the shared control word. One run at a time.

export type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void

export class LabBusyError extends Error {}
export class LabNotFoundError extends Error {}

export interface TrainingServiceOptions {
  workerPath: string
  emit: Emit
  preferredBackend?: BackendName
  /** Threads of the wasm backend (default: every core, at most 8). */
  threads?: number
  /** Seconds between checkpoints of a run in progress (default 15, or LAB_CHECKPOINT_SECONDS). */
  checkpointSeconds?: number
  onCheckpoint?: (runId: string, networks: RunRecord['networks']) => void
}

interface Ready {
  backend: BackendName
  note: string
  tfjs: string
}

export class TrainingService {
  private worker: Worker | null = null
  private ready: Promise<Ready> | null = null
  private readonly control = new Int32Array(new SharedArrayBuffer(4))
  private activeRun: string | null = null
  private runCounter = 0
  private inferCounter = 0
  private readonly pendingInference = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void }
  >()

  constructor(private readonly options: TrainingServiceOptions) {}

  /** The backend the worker runs on (starts the worker if needed). */
  backend(): Promise<Ready> {
    return this.ensureWorker()
  }

  get running(): string | null {
    return this.activeRun
  }

  async start(config: LetterTrainConfig, glyphs: Glyph[]): Promise<string> {
    const runId = await this.begin()
    this.worker!.postMessage({ type: 'start', runId, config, glyphs })
    return runId
  }

  /** Starts a VAE run on a prepared image data set. */
  async startVae(config: VaeTrainConfig, datasetsDir: string): Promise<string> {
    const runId = await this.begin()
    this.worker!.postMessage({ type: 'startVae', runId, config, datasetsDir })
    return runId
  }

  /** The latent means of a trained VAE's test set. */
  testSet(runId: string, datasetsDir: string): Promise<VaeTestSetResult> {
    return this.request({ type: 'testSet', runId, datasetsDir }) as Promise<VaeTestSetResult>
  }

  /** A trained run's networks (tfjs-layers artifacts), from the worker. */
  async exportModel(runId: string): Promise<RunRecord['networks']> {
    return (
      (await this.request({ type: 'exportModel', runId })) as { networks: RunRecord['networks'] }
    ).networks
  }

  /** Loads a saved run's networks into the worker so the run can be explored again. */
  async importModel(
    runId: string,
    experiment: Experiment,
    networks: RunRecord['networks']
  ): Promise<void> {
    await this.request({ type: 'importModel', runId, experiment, networks })
  }

  /** Reserves the one training slot and makes sure the worker is up. */
  private async begin(): Promise<string> {
    if (this.activeRun)
      throw new LabBusyError(
        `a training run (${this.activeRun}) is already in progress; stop it first`
      )
    const runId = `run-${Date.now().toString(36)}-${(this.runCounter++).toString(36)}`
    this.activeRun = runId
    try {
      await this.ensureWorker()
    } catch (error) {
      this.activeRun = null
      throw error
    }
    Atomics.store(this.control, 0, Control.run)
    return runId
  }

  stop(runId: string): boolean {
    return this.signal(runId, Control.stop)
  }

  pause(runId: string): boolean {
    return this.signal(runId, Control.pause)
  }

  resume(runId: string): boolean {
    return this.signal(runId, Control.run)
  }

  /** Decodes latent points with a trained run's decoder (in the worker). */
  decode(request: DecodeRequest): Promise<DecodeResult> {
    return this.infer({ type: 'decode', request }) as Promise<DecodeResult>
  }

  /** Encodes and reconstructs patterns with a trained run (in the worker). */
  encode(request: EncodeRequest): Promise<EncodeResult> {
    return this.infer({ type: 'encode', request }) as Promise<EncodeResult>
  }

  private infer(
    message: { type: 'decode'; request: DecodeRequest } | { type: 'encode'; request: EncodeRequest }
  ): Promise<unknown> {
    if (this.activeRun === message.request.runId)
      return Promise.reject(
        new LabBusyError('this run is still training; explore it when it has finished')
      )
    return this.request(message)
  }

  private async request(message: object): Promise<unknown> {
    await this.ensureWorker()
    const id = this.inferCounter++
    return new Promise((resolve, reject) => {
      this.pendingInference.set(id, { resolve, reject })
      this.worker!.postMessage({ ...message, id })
    })
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    this.ready = null
    if (worker) await worker.terminate()
  }

  private signal(runId: string, word: number): boolean {
    if (this.activeRun !== runId)
      throw new LabNotFoundError(`no training run ${runId} is in progress`)
    Atomics.store(this.control, 0, word)
    Atomics.notify(this.control, 0)
    return true
  }

  private ensureWorker(): Promise<Ready> {
    if (this.ready) return this.ready
    const workerData: WorkerData = {
      control: this.control.buffer as SharedArrayBuffer,
      preferredBackend: this.options.preferredBackend,
      threads: this.options.threads,
      checkpointSeconds:
        this.options.checkpointSeconds ?? Number(process.env['LAB_CHECKPOINT_SECONDS'] ?? 15)
    }
    const worker = new Worker(this.options.workerPath, { workerData })
    this.worker = worker
    this.ready = new Promise<Ready>((resolve, reject) => {
      worker.on('message', (raw: unknown) => {
        const parsed = fromWorkerSchema.safeParse(raw)
        if (!parsed.success) return
        const message = parsed.data
        if (message.type === 'ready')
          resolve({ backend: message.backend, note: message.note, tfjs: message.tfjs })
        else if (message.type === 'progress')
          this.options.emit('trainingProgress', message.progress)
        else if (message.type === 'vaeProgress') this.options.emit('vaeProgress', message.progress)
        else if (message.type === 'checkpoint')
          this.options.onCheckpoint?.(message.runId, message.networks)
        else if (message.type === 'vaeDone') {
          if (this.activeRun === message.done.runId) this.activeRun = null
          this.options.emit('vaeDone', message.done)
        } else if (message.type === 'inferred' || message.type === 'inferFailed') {
          const pending = this.pendingInference.get(message.id)
          this.pendingInference.delete(message.id)
          if (message.type === 'inferred') pending?.resolve(message.result)
          else pending?.reject(new LabNotFoundError(message.message))
        } else {
          if (this.activeRun === message.done.runId) this.activeRun = null
          this.options.emit('trainingDone', message.done)
        }
      })
      const fail = (error: Error): void => {
        reject(error)
        this.crashed(worker, error.message)
      }
      worker.on('error', fail)
      worker.on('exit', (code) => fail(new Error(`the training worker exited (code ${code})`)))
    })
    return this.ready
  }

  /** A dead worker fails its run with a message and is replaced on the next request. */
  private crashed(worker: Worker, reason: string): void {
    if (this.worker !== worker) return
    this.worker = null
    this.ready = null
    for (const pending of this.pendingInference.values())
      pending.reject(new Error(`the training worker stopped unexpectedly: ${reason}`))
    this.pendingInference.clear()
    const runId = this.activeRun
    this.activeRun = null
    if (runId) {
      this.options.emit('trainingDone', {
        runId,
        status: 'failed',
        message: `the training worker stopped unexpectedly: ${reason}`,
        backend: 'cpu',
        epochs: 0,
        seconds: 0,
        finalLoss: null,
        glyphs: [],
        denoising: null
      })
    }
  }
}
