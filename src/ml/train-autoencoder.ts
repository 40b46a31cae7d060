import type { DenoisingSummary, GlyphResult, LetterTrainConfig, RunStatus } from '../shared/schemas'
import {
  createAutoencoder,
  meanBce,
  shapeOf,
  wrongPixels,
  type AutoencoderModel
} from './autoencoder'
import { noiseRandom, noisyCopies } from '../shared/noise'
import type { Model } from './inference'
import { createLbfgs } from './lbfgs'
import { learningRateAt } from './optimizers'
import { createPowell } from './powell'
import { createFullBatch, defaultArithmetic, WORK_PER_CHECK, type Arithmetic } from './full-batch'
import { describePatterns, evaluateDenoising } from './letters-results'
import { createPace, Stopped, type Check } from './pace'

// Trains a plain or denoising autoencoder on a small set of patterns, full batch, with any of
// the lab's optimizers. Progress leaves through callbacks as plain numbers; the caller can
// pause or stop between epochs and, when an epoch is long, inside it (full-batch.ts computes a
// pass in slices and asks between them once about a second of work is done). A stop inside an
// epoch abandons that epoch: the run keeps the weights of the last completed one.

export interface EpochRecord {
  epoch: number
  loss: number
  learningRate: number
  /** Per pattern: wrong pixels of the reconstruction (plain), or the mean over its noisy copies (denoising). */
  wrongPixels: number[]
  maxWrongPixels: number
}

export interface TrainControl {
  /**
   * Called between epochs (between batches for a VAE); resolves when training may go on (at once
   * unless paused). `current()` returns the model as trained so far (brought up to date when
   * called: on the wasm kernels the weights live outside tfjs), e.g. for a host's checkpoint.
   */
  checkpoint(current: () => Model): Promise<'continue' | 'stop'> | 'continue' | 'stop'
  /**
   * Asked inside long epochs (and long evaluations), between slices of the batch: like
   * `checkpoint` without the checkpoint (the weights there are part-way through an epoch).
   */
  between?: Check
  /** Polled inside long epochs when there is no `between`. */
  shouldStop?(): boolean
}

export interface TrainHooks {
  onEpoch?: (record: EpochRecord) => void
  /**
   * A first-order epoch computed in several slices (a long one) has `done` of its `slices`
   * done; heard after each slice but the last.
   */
  onSlice?: (done: number, slices: number) => void
  control?: TrainControl
}

export interface AutoencoderOutcome {
  status: RunStatus
  message: string
  epochs: number
  finalLoss: number | null
  glyphs: GlyphResult[]
  denoising: DenoisingSummary | null
}

export interface AutoencoderRun {
  model: AutoencoderModel
  outcome: AutoencoderOutcome
}

const SNAPSHOT_EVERY = 10

export interface TrainOptions {
  arithmetic?: Arithmetic
  /** Rows of the batch computed between two checks at most (default: what fits the work). */
  sliceRows?: number
  /** Floating-point operations between two checks inside an epoch (default WORK_PER_CHECK). */
  workPerCheck?: number
}

export async function trainAutoencoder(
  patterns: Float32Array,
  size: number,
  labels: readonly string[],
  config: LetterTrainConfig,
  hooks: TrainHooks = {},
  options: TrainOptions = {}
): Promise<AutoencoderRun> {
  const n = patterns.length / size
  if (n === 0 || !Number.isInteger(n) || labels.length !== n)
    throw new Error('there are no patterns to train on')
  const model = createAutoencoder(shapeOf(config, size), config.seed)
  const noise = config.noise
  const trainRandom = noise ? noiseRandom(noise, 'train') : null
  const makeBatch = (): { inputs: Float32Array; targets: Float32Array } =>
    noise && trainRandom
      ? noisyCopies(patterns, size, noise, trainRandom)
      : { inputs: patterns, targets: patterns }
  let batch = makeBatch()
  const copies = batch.targets.length / size / n
  const optimizerConfig = config.optimizer
  const arithmetic = options.arithmetic ?? defaultArithmetic()
  // Only a first-order epoch is one pass over the batch, whose slices say how far it is.
  let inEpoch = false
  const pace = createPace(
    controlCheck(hooks.control),
    options.workPerCheck ?? WORK_PER_CHECK[arithmetic],
    (done, slices) => {
      if (inEpoch && done < slices) hooks.onSlice?.(done, slices)
    }
  )
  const engine = createFullBatch(model, batch.inputs, batch.targets, optimizerConfig, {
    arithmetic,
    pace,
    sliceRows: options.sliceRows
  })
  // L-BFGS and Powell work on a Float32 copy of the parameters.
  const lossAndGrad = async (
    values: Float32Array
  ): Promise<{ loss: number; grad: Float32Array; outputs: Float32Array }> => {
    const { outputs, grad } = await engine.lossAndGrad(values)
    return { loss: meanBce(outputs, batch.targets), grad, outputs }
  }
  const lossOnly = async (values: Float32Array): Promise<number> =>
    meanBce(await engine.outputsAt(values), batch.targets)
  const flat =
    optimizerConfig.kind === 'lbfgs' || optimizerConfig.kind === 'powell' ? engine.params() : null
  const lbfgs =
    optimizerConfig.kind === 'lbfgs'
      ? createLbfgs(lossAndGrad, optimizerConfig.history, flat!)
      : null
  const powell = optimizerConfig.kind === 'powell' ? createPowell(lossOnly, model.theta.size) : null

  const current = (): AutoencoderModel => {
    engine.sync()
    return model
  }
  let snapshot = engine.params()
  let status: RunStatus = 'completed'
  let message = `ran all ${config.epochs} epochs`
  let finalLoss: number | null = null
  let epoch = 0
  const perPattern = (out: ArrayLike<number>): number[] => {
    const wrong = wrongPixels(out, batch.targets, size)
    if (copies === 1) return wrong
    return labels.map(
      (_, p) => wrong.slice(p * copies, (p + 1) * copies).reduce((a, b) => a + b, 0) / copies
    )
  }
  const solved = (wrong: number[]): boolean =>
    config.maxWrongPixels !== null && Math.max(...wrong) <= config.maxWrongPixels

  try {
    while (epoch < config.epochs) {
      if ((await hooks.control?.checkpoint(current)) === 'stop') {
        status = 'stopped'
        message = `stopped by the user after ${epoch} epochs`
        break
      }
      pace.checked()
      if (noise?.fresh && epoch > 0) {
        batch = makeBatch()
        engine.setInputs(batch.inputs)
      }
      const lr = learningRateAt(config.learningRate, config.schedule, epoch + 1, config.epochs)
      let loss = Number.NaN
      let wrong: number[] = []
      let preUpdate = false
      // What a stop inside this epoch goes back to (first-order epochs change nothing before
      // their last slice is done).
      const before = flat ? flat.slice() : null
      try {
        if (lbfgs) {
          await lbfgs.iterate(flat!)
          const after = await lossAndGrad(flat!)
          loss = after.loss
          wrong = perPattern(after.outputs)
          engine.setParams(flat!)
        } else if (powell) {
          await powell.sweep(flat!)
          engine.setParams(flat!)
          const out = await engine.outputsAt(null)
          loss = meanBce(out, batch.targets)
          wrong = perPattern(out)
        } else {
          // Loss and wrong pixels are those of the weights before this epoch's update: they
          // come free with the gradient's forward pass. A run that already meets the criterion,
          // or whose loss is no longer finite, stops without updating.
          inEpoch = true
          await engine.epoch(lr, epoch + 1, (out) => {
            inEpoch = false
            loss = meanBce(out, batch.targets)
            wrong = perPattern(out)
            return !solved(wrong) && Number.isFinite(loss)
          })
          preUpdate = true
        }
      } catch (error) {
        inEpoch = false
        if (!(error instanceof Stopped)) throw error
        if (flat && before) {
          flat.set(before)
          engine.setParams(flat)
        }
        status = 'stopped'
        message = `stopped by the user during epoch ${epoch + 1}; kept the weights of epoch ${epoch}`
        break
      }
      if (!Number.isFinite(loss)) {
        engine.setParams(snapshot)
        const kept = epoch - (epoch % SNAPSHOT_EVERY)
        status = 'diverged'
        message = `training diverged at epoch ${epoch + 1} (loss ${loss}); kept the weights of epoch ${kept}. Try a lower learning rate.`
        break
      }
      finalLoss = loss
      if (preUpdate && solved(wrong)) {
        hooks.onEpoch?.({
          epoch,
          loss,
          learningRate: lr,
          wrongPixels: wrong,
          maxWrongPixels: Math.max(...wrong)
        })
        status = 'solved'
        break
      }
      epoch++
      hooks.onEpoch?.({
        epoch,
        loss,
        learningRate: lr,
        wrongPixels: wrong,
        maxWrongPixels: Math.max(...wrong)
      })
      if (!preUpdate && solved(wrong)) {
        status = 'solved'
        break
      }
      if (epoch % SNAPSHOT_EVERY === 0) snapshot = engine.params()
    }
    engine.sync()
  } finally {
    engine.dispose()
  }
  if (status === 'solved') {
    const k = config.maxWrongPixels ?? 0
    message = `every glyph within ${k} wrong pixel${k === 1 ? '' : 's'} after ${epoch} epochs`
  }
  const glyphs = describePatterns(model, patterns, size, labels)
  let denoising: DenoisingSummary | null = null
  try {
    denoising = noise
      ? await evaluateDenoising(model, patterns, size, noise, undefined, pace)
      : null
  } catch (error) {
    if (!(error instanceof Stopped)) throw error
    message += '; the denoising evaluation was stopped before it finished'
  }
  return { model, outcome: { status, message, epochs: epoch, finalLoss, glyphs, denoising } }
}

/** The control's check between slices: `between`, else a poll of `shouldStop`. */
function controlCheck(control: TrainControl | undefined): Check | undefined {
  if (control?.between) return control.between
  const shouldStop = control?.shouldStop
  return shouldStop ? () => (shouldStop() ? 'stop' : 'continue') : undefined
}
