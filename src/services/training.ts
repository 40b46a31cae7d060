import { randomBytes } from 'node:crypto'
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
import { threadsFor } from '../ml/threads'
import { Control, fromWorkerSchema, type FromWorker, type WorkerData } from './worker-protocol'
import type { RunRecord } from './session-file'

// Owns the training workers: starts them on first use, relays their events, and drives pause,
// resume and stop through the shared control word. One run at a time.
//
// Two workers, because the best thread count depends on the network: the glyph networks run on
// one thread and the VAE on every core (see ml/threads.ts), and a tfjs wasm backend's thread
// pool is fixed when it starts. Each run, and its model for exploring, lives in the worker of
// its kind; the image worker starts with the first VAE run or VAE session.

export type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void

export class LabBusyError extends Error {}
/** A worker did not answer a request in time. */
export class LabTimeoutError extends LabBusyError {}
export class LabNotFoundError extends Error {}

export interface TrainingServiceOptions {
  workerPath: string
  emit: Emit
  preferredBackend?: BackendName
  /** Threads of the VAE's wasm backend (default: every core, at most 8); glyphs use one. */
  threads?: number
  /** Seconds between checkpoints of a run in progress (default 15, or LAB_CHECKPOINT_SECONDS). */
  checkpointSeconds?: number
  onCheckpoint?: (runId: string, networks: RunRecord['networks']) => void
  /** How long a request to a worker may go unanswered (default 60 s). */
  requestTimeoutMs?: number
}

/** A run to load into the lab from a session file. */
export interface RunToLoad {
  id: string
  experiment: Experiment
  networks: RunRecord['networks']
  /** The data sets folder, to recompute a glyph run's results (runs saved without them). */
  resultsFrom?: string
}

interface Ready {
  backend: BackendName
  note: string
  tfjs: string
}

/** Which worker a run belongs to. */
export type WorkerKind = 'glyphs' | 'images'

type Pending = { resolve: (r: unknown) => void; reject: (e: Error) => void }

/** What a worker sends besides its start-up and its replies to requests. */
type WorkerEvent = Exclude<FromWorker, { type: 'ready' | 'inferred' | 'inferFailed' }>

/** One worker thread: started on first use, replaced on the next request after a crash. */
class WorkerLink {
  private worker: Worker | null = null
  private ready: Promise<Ready> | null = null
  private counter = 0
  private readonly pending = new Map<number, Pending>()

  constructor(
    private readonly workerPath: string,
    private readonly workerData: () => WorkerData,
    private readonly onMessage: (message: WorkerEvent) => void,
    private readonly onCrash: (reason: string) => void,
    private readonly timeoutMs: number
  ) {}

  get started(): boolean {
    return this.ready !== null
  }

  ensure(): Promise<Ready> {
    if (this.ready) return this.ready
    const worker = new Worker(this.workerPath, { workerData: this.workerData() })
    this.worker = worker
    this.ready = new Promise<Ready>((resolve, reject) => {
      worker.on('message', (raw: unknown) => {
        const parsed = fromWorkerSchema.safeParse(raw)
        if (!parsed.success) return
        const message = parsed.data
        if (message.type === 'ready')
          resolve({ backend: message.backend, note: message.note, tfjs: message.tfjs })
        else if (message.type === 'inferred' || message.type === 'inferFailed') {
          const pending = this.pending.get(message.id)
          this.pending.delete(message.id)
          if (message.type === 'inferred') pending?.resolve(message.result)
          else pending?.reject(new LabNotFoundError(message.message))
        } else this.onMessage(message)
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

  async post(message: object): Promise<void> {
    await this.ensure()
    this.worker!.postMessage(message)
  }

  /** Sends a request and waits for its answer, at most the link's timeout; `what` names it. */
  async request(message: object, what: string): Promise<unknown> {
    await this.ensure()
    const id = this.counter++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          new LabTimeoutError(
            `the training worker did not answer (${what}) within ${this.timeoutMs / 1000} s`
          )
        )
      }, this.timeoutMs)
      const settle =
        <T>(done: (value: T) => void) =>
        (value: T): void => {
          clearTimeout(timer)
          done(value)
        }
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) })
      this.worker!.postMessage({ ...message, id })
    })
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    this.ready = null
    if (worker) await worker.terminate()
  }

  private crashed(worker: Worker, reason: string): void {
    if (this.worker !== worker) return
    this.worker = null
    this.ready = null
    for (const pending of this.pending.values())
      pending.reject(new Error(`the training worker stopped unexpectedly: ${reason}`))
    this.pending.clear()
    this.onCrash(reason)
  }
}

export class TrainingService {
  private readonly control = new Int32Array(new SharedArrayBuffer(4))
  private readonly links: Record<WorkerKind, WorkerLink>
  /** The worker holding each run's model (runs trained here or loaded from sessions). */
  private readonly homes = new Map<string, WorkerKind>()
  private activeRun: string | null = null
  private activeKind: WorkerKind | null = null
  private runCounter = 0

  constructor(private readonly options: TrainingServiceOptions) {
    const link = (kind: WorkerKind): WorkerLink =>
      new WorkerLink(
        options.workerPath,
        () => ({
          control: this.control.buffer as SharedArrayBuffer,
          preferredBackend: options.preferredBackend,
          threads: threadsFor(kind, kind === 'images' ? options.threads : undefined),
          checkpointSeconds:
            options.checkpointSeconds ?? Number(process.env['LAB_CHECKPOINT_SECONDS'] ?? 15)
        }),
        (message) => this.relay(message),
        (reason) => this.crashed(kind, reason),
        options.requestTimeoutMs ?? 60_000
      )
    this.links = { glyphs: link('glyphs'), images: link('images') }
  }

  /**
   * The backend the glyph worker runs on (starting it if needed); on wasm the note says that
   * training runs on the lab's kernels, and on how many threads the VAE trains.
   */
  async backend(): Promise<Ready> {
    const ready = await this.links.glyphs.ensure()
    if (ready.backend !== 'wasm') return ready
    const images = threadsFor('images', this.options.threads)
    // The VAE's engine and thread count are timed per model when a run starts (ml/vae-engine.ts).
    const threads =
      images === 1
        ? ''
        : ` (the VAE on up to ${images} threads, as many as a timed start shows pay)`
    return { ...ready, note: `${ready.note}; training on the lab's WebAssembly kernels${threads}` }
  }

  get running(): string | null {
    return this.activeRun
  }

  async start(config: LetterTrainConfig, glyphs: Glyph[]): Promise<string> {
    const runId = await this.begin('glyphs')
    await this.links.glyphs.post({ type: 'start', runId, config, glyphs })
    return runId
  }

  /** Starts a VAE run on a prepared image data set. */
  async startVae(config: VaeTrainConfig, datasetsDir: string): Promise<string> {
    const runId = await this.begin('images')
    await this.links.images.post({ type: 'startVae', runId, config, datasetsDir })
    return runId
  }

  /** The latent means of a trained VAE's test set. */
  testSet(runId: string, datasetsDir: string): Promise<VaeTestSetResult> {
    return this.linkOf(runId).request(
      { type: 'testSet', runId, datasetsDir },
      `the test set of run ${runId}`
    ) as Promise<VaeTestSetResult>
  }

  /** A trained run's networks (tfjs-layers artifacts), from its worker. */
  async exportModel(runId: string): Promise<RunRecord['networks']> {
    const reply = (await this.linkOf(runId).request(
      { type: 'exportModel', runId },
      `export of run ${runId}`
    )) as { networks: RunRecord['networks'] }
    return reply.networks
  }

  /**
   * Loads saved runs' networks into the workers of their kinds, so they can be explored again:
   * all of them or none (each is staged, then all are committed; on any failure the staged ones
   * are dropped and the runs already here keep their models). Returns, per run, a glyph run's
   * recomputed results when `resultsFrom` asked for them.
   */
  async importModels(
    runs: readonly RunToLoad[]
  ): Promise<(Pick<RunRecord, 'glyphs' | 'denoising'> | null)[]> {
    const training = runs.find((r) => r.id === this.activeRun)
    if (training)
      throw new LabBusyError(`run ${training.id} is training in this lab now; stop it first`)
    const stage = randomBytes(8).toString('hex')
    const kindOf = (run: RunToLoad): WorkerKind =>
      run.experiment.kind === 'vae' ? 'images' : 'glyphs'
    const used = new Set<WorkerKind>()
    const results: (Pick<RunRecord, 'glyphs' | 'denoising'> | null)[] = []
    try {
      for (const run of runs) {
        const kind = kindOf(run)
        used.add(kind)
        const reply = (await this.links[kind].request(
          {
            type: 'importModel',
            runId: run.id,
            experiment: run.experiment,
            networks: run.networks,
            resultsFrom: run.resultsFrom,
            stage
          },
          `loading run ${run.id}`
        )) as { results: Pick<RunRecord, 'glyphs' | 'denoising'> | null }
        results.push(reply.results)
      }
    } catch (error) {
      for (const kind of used)
        await this.links[kind]
          .request({ type: 'abortImport', stage }, 'discarding a refused load')
          .catch(() => undefined)
      throw error
    }
    for (const kind of used)
      await this.links[kind].request({ type: 'commitImport', stage }, 'loading a session')
    for (const run of runs) this.homes.set(run.id, kindOf(run))
    return results
  }

  /** Reserves the one training slot and makes sure the run's worker is up. */
  private async begin(kind: WorkerKind): Promise<string> {
    if (this.activeRun)
      throw new LabBusyError(
        `a training run (${this.activeRun}) is already in progress; stop it first`
      )
    const runId = `run-${Date.now().toString(36)}-${(this.runCounter++).toString(36)}`
    this.activeRun = runId
    this.activeKind = kind
    try {
      await this.links[kind].ensure()
    } catch (error) {
      this.activeRun = null
      this.activeKind = null
      throw error
    }
    this.homes.set(runId, kind)
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

  /** Decodes latent points with a trained run's decoder (in its worker). */
  decode(request: DecodeRequest): Promise<DecodeResult> {
    return this.infer(
      request.runId,
      { type: 'decode', request },
      `decoding with run ${request.runId}`
    ) as Promise<DecodeResult>
  }

  /** Encodes and reconstructs patterns with a trained run (in its worker). */
  encode(request: EncodeRequest): Promise<EncodeResult> {
    return this.infer(
      request.runId,
      { type: 'encode', request },
      `encoding with run ${request.runId}`
    ) as Promise<EncodeResult>
  }

  private infer(runId: string, message: object, what: string): Promise<unknown> {
    if (this.activeRun === runId)
      return Promise.reject(
        new LabBusyError('this run is still training; explore it when it has finished')
      )
    return this.linkOf(runId).request(message, what)
  }

  /** The worker holding a run (the glyph worker for runs it has never seen: it says so). */
  private linkOf(runId: string): WorkerLink {
    return this.links[this.homes.get(runId) ?? 'glyphs']
  }

  async close(): Promise<void> {
    await Promise.all([this.links.glyphs.close(), this.links.images.close()])
  }

  private signal(runId: string, word: number): boolean {
    if (this.activeRun !== runId)
      throw new LabNotFoundError(`no training run ${runId} is in progress`)
    Atomics.store(this.control, 0, word)
    Atomics.notify(this.control, 0)
    return true
  }

  private relay(message: WorkerEvent): void {
    if (message.type === 'progress') this.options.emit('trainingProgress', message.progress)
    else if (message.type === 'vaeProgress') this.options.emit('vaeProgress', message.progress)
    else if (message.type === 'vaeBatch') this.options.emit('vaeBatch', message.progress)
    else if (message.type === 'checkpoint')
      this.options.onCheckpoint?.(message.runId, message.networks)
    else if (message.type === 'vaeDone') {
      this.finish(message.done.runId)
      this.options.emit('vaeDone', message.done)
    } else {
      this.finish(message.done.runId)
      this.options.emit('trainingDone', message.done)
    }
  }

  private finish(runId: string): void {
    if (this.activeRun !== runId) return
    this.activeRun = null
    this.activeKind = null
  }

  /** A dead worker fails its run with a message; its models are gone with it. */
  private crashed(kind: WorkerKind, reason: string): void {
    for (const [runId, home] of this.homes) if (home === kind) this.homes.delete(runId)
    const runId = this.activeKind === kind ? this.activeRun : null
    if (!runId) return
    this.activeRun = null
    this.activeKind = null
    const failure = {
      runId,
      status: 'failed' as const,
      message: `the training worker stopped unexpectedly: ${reason}`,
      backend: 'cpu' as const,
      epochs: 0,
      seconds: 0,
      finalLoss: null
    }
    // The VAE lab listens for vaeDone, the glyph labs for trainingDone.
    if (kind === 'images') this.options.emit('vaeDone', failure)
    else this.options.emit('trainingDone', { ...failure, glyphs: [], denoising: null })
  }
}
