import type { z } from 'zod'
import type { ExperimentKind, ExperimentOf } from '../../shared/experiments'
import type { RunDone, RunProgress } from '../../shared/run-protocol'
import type { LatentAnalysis, ProjectionMethod } from '../../shared/latent-analysis'
import type { RunRecord } from '../../shared/session'
import type { Model } from '../inference'
import type { Pace } from '../pace'
import type { TrainControl } from '../train-autoencoder'
import type { KindTraits } from './catalog'

// What a model kind is to the rest of the lab. Each kind is one module (autoencoder.ts,
// denoising.ts, linear.ts, vae.ts) in the registry (registry.ts); its host-side traits, which
// load no TensorFlow.js, are in catalog.ts. Nothing outside a kind's module branches on the kind.

/** `Omit` over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A kind's progress payload, without the tags the driver adds. */
export type KindProgress<K extends ExperimentKind> = DistributiveOmit<
  Extract<RunProgress, { kind: K }>,
  'runId' | 'kind'
>

/** What ends every run, whatever its kind. */
export interface KindOutcome {
  status: RunDone['status']
  message: string
  epochs: number
  finalLoss: number | null
}

/** A kind's own fields of its `runDone` event (letters: per-glyph results; VAE: the engine). */
export type KindResult<K extends ExperimentKind> = Omit<
  Extract<RunDone, { kind: K }>,
  'runId' | 'kind' | 'backend' | 'seconds' | keyof KindOutcome
>

/** The parts of a session's run record that the kind fills in (the driver keeps the history). */
export type KindRecord = Pick<RunRecord, 'glyphs' | 'denoising' | 'epochImages'>

export type Networks = RunRecord['networks']

/** What the run driver (worker/run-job.ts) gives a kind's training; P is its progress payload. */
export interface RunHooks<P> {
  /** Adds a row to the run's history (once per epoch: `epoch`, `loss`, ...). */
  record(row: Record<string, number>): void
  /** Sends live progress (the driver tags it with the run's id and kind). */
  progress(payload: P): void
  /**
   * Whether progress is due: `intervalMs` (by default the driver's, a tenth of a second) since
   * the last; always, for a caller that reports every step (the command line).
   */
  due(intervalMs?: number): boolean
  /** Seconds of training so far, pauses left out. */
  elapsed(): number
  /** Pause, stop and checkpoints; `onPause` hears when a pause begins (true) and ends (false). */
  control(onPause?: (paused: boolean) => void): TrainControl
}

export interface KindRun<K extends ExperimentKind> {
  model: Model
  outcome: KindOutcome
  result: KindResult<K>
  record: KindRecord
}

/** One line of a run's progress as the command line prints it. */
export interface ProgressLine {
  /** Epochs finished. */
  epoch: number
  epochs: number
  /** The last finished epoch's loss (null before the first). */
  loss: number | null
  /** Letters: the worst glyph's wrong pixels. */
  maxWrongPixels: number | null
  /** Batches done of the epoch in progress. */
  within?: { batch: number; batches: number }
  samplesPerSecond?: number
}

export interface ModelKind<K extends ExperimentKind> extends KindTraits<K> {
  readonly kind: K
  /** The kind's experiment schema (src/shared/experiments.ts). */
  readonly schema: z.ZodType<ExperimentOf<K>>
  /** Trains a run of this kind: the data, the epoch/batch loop, progress, the results. */
  train(
    experiment: ExperimentOf<K>,
    datasetsDir: string,
    hooks: RunHooks<KindProgress<K>>
  ): Promise<KindRun<K>>
  /** A trained model's networks as a session saves them (tfjs-layers artifacts). */
  save(model: Model): Promise<Networks>
  /** The trained model of a saved run, rebuilt from its networks. */
  load(experiment: ExperimentOf<K>, networks: Networks): Promise<Model>
  /**
   * A loaded model's results, for runs saved without them (from a checkpoint); long work goes
   * in slices with `pace`'s checks between them.
   */
  results(
    model: Model,
    experiment: ExperimentOf<K>,
    datasetsDir: string,
    pace?: Pace
  ): Promise<Pick<RunRecord, 'glyphs' | 'denoising'>>
  /** `lab eval`: the run's metrics recomputed from its weights and the data sets. */
  evaluate(
    experiment: ExperimentOf<K>,
    record: RunRecord,
    model: Model,
    datasetsDir: string
  ): Promise<[string, string][]>
  /** A progress event as one line of the command line's progress bar. */
  line(progress: KindProgress<K>, experiment: ExperimentOf<K>): ProgressLine
  /** Exploring the latent space beyond encode and decode (ml/inference.ts): a test set's codes. */
  testSet?(
    model: Model,
    experiment: ExperimentOf<K>,
    datasetsDir: string
  ): Promise<{ points: number[][]; labels: number[] }>
  /**
   * The latent space analysed (ml/latent-analysis.ts): the run's metrics, a glyph run's PCA
   * baseline and, if asked, a 2-D projection of its codes. A kind without it has none.
   */
  analyze?(
    model: Model,
    experiment: ExperimentOf<K>,
    datasetsDir: string,
    projection: ProjectionMethod | null
  ): Promise<Omit<LatentAnalysis, 'runId'>>
}
