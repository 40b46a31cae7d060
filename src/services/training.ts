import { randomBytes } from 'node:crypto'
import type { EventName, EventPayload } from '../shared/contract'
import type { Experiment, ExperimentKind } from '../shared/experiments'
import type {
  BackendName,
  VaeTestSetResult,
  DecodeRequest,
  DecodeResult,
  EncodeRequest,
  EncodeResult
} from '../shared/schemas'
import type { RunRecord, SessionSummary } from '../shared/session'
import type { LatentAnalysis, LatentAnalysisRequest } from '../shared/latent-analysis'
import { traitsOf, type WorkerKind } from '../ml/kinds/catalog'
import { threadsFor } from '../ml/threads'
import { Control } from '../worker/protocol'
import {
  LabBusyError,
  LabNotFoundError,
  LabTimeoutError,
  WorkerLink,
  type Ready,
  type WorkerEvent
} from './worker-link'

export { LabBusyError, LabNotFoundError, LabTimeoutError, type WorkerKind }

// Owns the training workers: starts them on first use, relays the run protocol's events, and
// drives pause, resume and stop through the shared control word. One run at a time.
//
// Two workers, because the best thread count depends on the network: the glyph networks run on
// one thread and the VAE on every core (see ml/threads.ts), and a tfjs wasm backend's thread
// pool is fixed when it starts. Each run, and its model for exploring, lives in the worker its
// kind names (ml/kinds/catalog.ts); the image worker starts with its first run or session.

export type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void

export interface TrainingServiceOptions {
  workerPath: string
  emit: Emit
  preferredBackend?: BackendName
  /** Threads of the VAE's wasm backend (default: every core, at most 8); glyphs use one. */
  threads?: number
  /** Seconds between checkpoints of a run in progress (default 15, or LAB_CHECKPOINT_SECONDS). */
  checkpointSeconds?: number
  /** A run in progress sent its weights and its record so far. */
  onCheckpoint?: (runId: string, networks: RunRecord['networks'], record: SessionSummary) => void
  /** A run ended (not failed): its record, as the run driver built it. */
  onRecord?: (record: SessionSummary) => void
  /** A run failed: nothing of it is kept. */
  onFailed?: (runId: string) => void
  /** How long a request to a worker may go unanswered (default 60 s). */
  requestTimeoutMs?: number
  /** The workspace's imported data sets (`<workspace>/datasets`), for VAE runs on them. */
  importedDatasetsDir?: string
}

/** A run to load into the lab from a session file. */
export interface RunToLoad {
  id: string
  experiment: Experiment
  networks: RunRecord['networks']
  /** The data sets folder, to recompute a run's results (runs saved without them). */
  resultsFrom?: string
}

type Results = Pick<RunRecord, 'glyphs' | 'denoising'>

export class TrainingService {
  private readonly control = new Int32Array(new SharedArrayBuffer(4))
  private readonly links: Record<WorkerKind, WorkerLink>
  /** The worker holding each run's model (runs trained here or loaded from sessions). */
  private readonly homes = new Map<string, WorkerKind>()
  private active: { runId: string; kind: ExperimentKind; worker: WorkerKind } | null = null
  private runCounter = 0

  constructor(private readonly options: TrainingServiceOptions) {
    const link = (worker: WorkerKind): WorkerLink =>
      new WorkerLink(
        options.workerPath,
        () => ({
          control: this.control.buffer as SharedArrayBuffer,
          preferredBackend: options.preferredBackend,
          importedDatasets: options.importedDatasetsDir ?? null,
          threads: threadsFor(worker, worker === 'images' ? options.threads : undefined),
          checkpointSeconds:
            options.checkpointSeconds ?? Number(process.env['LAB_CHECKPOINT_SECONDS'] ?? 15)
        }),
        (message) => this.relay(message),
        (reason) => this.crashed(worker, reason),
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
    return this.active?.runId ?? null
  }

  /** Starts a run of any kind in its kind's worker; its data is read from `datasetsDir`. */
  async start(experiment: Experiment, datasetsDir: string): Promise<string> {
    const worker = traitsOf(experiment).worker
    if (this.active)
      throw new LabBusyError(
        `a training run (${this.active.runId}) is already in progress; stop it first`
      )
    const runId = `run-${Date.now().toString(36)}-${(this.runCounter++).toString(36)}`
    this.active = { runId, kind: experiment.kind, worker }
    try {
      await this.links[worker].ensure()
    } catch (error) {
      this.active = null
      throw error
    }
    this.homes.set(runId, worker)
    Atomics.store(this.control, 0, Control.run)
    await this.links[worker].post({ type: 'start', runId, experiment, datasetsDir })
    return runId
  }

  /** The latent means of a trained run's test set. */
  testSet(runId: string, datasetsDir: string): Promise<VaeTestSetResult> {
    return this.linkOf(runId).request(
      { type: 'testSet', runId, datasetsDir },
      `the test set of run ${runId}`
    )
  }

  /** A trained run's latent space analysed: metrics, PCA baseline, projection. */
  analyze(request: LatentAnalysisRequest, datasetsDir: string): Promise<LatentAnalysis> {
    return this.linkOf(request.runId).request(
      {
        type: 'analyze',
        runId: request.runId,
        projection: request.projection ?? null,
        datasetsDir
      },
      `the latent analysis of run ${request.runId}`
    )
  }

  /** A trained run's networks (tfjs-layers artifacts), from its worker. */
  async exportModel(runId: string): Promise<RunRecord['networks']> {
    const reply = await this.linkOf(runId).request(
      { type: 'exportModel', runId },
      `export of run ${runId}`
    )
    return reply.networks
  }

  /**
   * Loads saved runs' networks into the workers of their kinds, so they can be explored again:
   * all of them or none (each is staged, then all are committed; on any failure the staged ones
   * are dropped and the runs already here keep their models). Returns, per run, its recomputed
   * results when `resultsFrom` asked for them.
   */
  async importModels(runs: readonly RunToLoad[]): Promise<(Results | null)[]> {
    const training = runs.find((r) => r.id === this.running)
    if (training)
      throw new LabBusyError(`run ${training.id} is training in this lab now; stop it first`)
    const stage = randomBytes(8).toString('hex')
    const used = new Set<WorkerKind>()
    const results: (Results | null)[] = []
    try {
      for (const run of runs) {
        const worker = traitsOf(run.experiment).worker
        used.add(worker)
        const reply = await this.links[worker].request(
          {
            type: 'importModel',
            runId: run.id,
            experiment: run.experiment,
            networks: run.networks,
            resultsFrom: run.resultsFrom,
            stage
          },
          `loading run ${run.id}`
        )
        results.push(reply.results)
      }
    } catch (error) {
      for (const worker of used)
        await this.links[worker]
          .request({ type: 'abortImport', stage }, 'discarding a refused load')
          .catch(() => undefined)
      throw error
    }
    for (const worker of used)
      await this.links[worker].request({ type: 'commitImport', stage }, 'loading a session')
    for (const run of runs) this.homes.set(run.id, traitsOf(run.experiment).worker)
    return results
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
  async decode(request: DecodeRequest): Promise<DecodeResult> {
    this.refuseTraining(request.runId)
    return this.linkOf(request.runId).request(
      { type: 'decode', request },
      `decoding with run ${request.runId}`
    )
  }

  /** Encodes and reconstructs patterns with a trained run (in its worker). */
  async encode(request: EncodeRequest): Promise<EncodeResult> {
    this.refuseTraining(request.runId)
    return this.linkOf(request.runId).request(
      { type: 'encode', request },
      `encoding with run ${request.runId}`
    )
  }

  private refuseTraining(runId: string): void {
    if (this.running === runId)
      throw new LabBusyError('this run is still training; explore it when it has finished')
  }

  /** The worker holding a run (the glyph worker for runs it has never seen: it says so). */
  private linkOf(runId: string): WorkerLink {
    return this.links[this.homes.get(runId) ?? 'glyphs']
  }

  async close(): Promise<void> {
    await Promise.all([this.links.glyphs.close(), this.links.images.close()])
  }

  private signal(runId: string, word: number): boolean {
    if (this.running !== runId)
      throw new LabNotFoundError(`no training run ${runId} is in progress`)
    Atomics.store(this.control, 0, word)
    Atomics.notify(this.control, 0)
    return true
  }

  private relay(message: WorkerEvent): void {
    if (message.type === 'progress') this.options.emit('runProgress', message.progress)
    else if (message.type === 'checkpoint')
      this.options.onCheckpoint?.(message.runId, message.networks, message.record)
    else if (message.type === 'failed') this.fail(message.runId, message.message)
    else {
      if (this.running === message.done.runId) this.active = null
      this.options.onRecord?.(message.record)
      this.options.emit('runDone', message.done)
    }
  }

  /** The one way a run fails: whatever went wrong, the run's kind hears it in `runFailed`. */
  private fail(runId: string, message: string): void {
    const active = this.active
    if (active?.runId !== runId) return
    this.active = null
    this.options.onFailed?.(runId)
    this.options.emit('runFailed', { runId, kind: active.kind, message })
  }

  /** A dead worker fails its run with a message; its models are gone with it. */
  private crashed(worker: WorkerKind, reason: string): void {
    for (const [runId, home] of this.homes) if (home === worker) this.homes.delete(runId)
    if (this.active?.worker === worker)
      this.fail(this.active.runId, `the training worker stopped unexpectedly: ${reason}`)
  }
}
