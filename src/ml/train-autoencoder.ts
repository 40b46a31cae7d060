import * as tf from '@tensorflow/tfjs'
import type { DenoisingSummary, GlyphResult, LetterTrainConfig, RunStatus } from '../shared/schemas'
import {
  createAutoencoder,
  decodeTensor,
  encodeTensor,
  meanBce,
  shapeOf,
  wrongPixels,
  type AutoencoderModel
} from './autoencoder'
import { noiseRandom, noisyCopies } from '../shared/noise'
import type { VaeModel } from './vae'
import { createLbfgs, createPowell, learningRateAt } from './optimizers'
import { createFullBatch, type Arithmetic } from './full-batch'

// Trains a plain or denoising autoencoder on a small set of patterns, full batch, with any of
// the lab's optimizers. Progress leaves through callbacks as plain numbers; the caller can
// pause or stop between epochs.

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
  checkpoint(
    current: () => AutoencoderModel | VaeModel
  ): Promise<'continue' | 'stop'> | 'continue' | 'stop'
  /** Polled inside long epochs (Powell's sweeps). */
  shouldStop?(): boolean
}

export interface TrainHooks {
  onEpoch?: (record: EpochRecord) => void
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

export async function trainAutoencoder(
  patterns: Float32Array,
  size: number,
  labels: readonly string[],
  config: LetterTrainConfig,
  hooks: TrainHooks = {},
  options: { arithmetic?: Arithmetic } = {}
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
  const engine = createFullBatch(
    model,
    batch.inputs,
    batch.targets,
    optimizerConfig,
    options.arithmetic
  )
  // L-BFGS and Powell work on a Float32 copy of the parameters.
  const lossAndGrad = (
    values: Float32Array
  ): { loss: number; grad: Float32Array; outputs: Float32Array } => {
    const { outputs, grad } = engine.lossAndGrad(values)
    return { loss: meanBce(outputs, batch.targets), grad, outputs }
  }
  const lossOnly = (values: Float32Array): number =>
    meanBce(engine.outputsAt(values), batch.targets)
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
      if (noise?.fresh && epoch > 0) {
        batch = makeBatch()
        engine.setInputs(batch.inputs)
      }
      const lr = learningRateAt(config.learningRate, config.schedule, epoch + 1, config.epochs)
      let loss = Number.NaN
      let wrong: number[] = []
      let preUpdate = false
      if (lbfgs) {
        lbfgs.iterate(flat!)
        const after = lossAndGrad(flat!)
        loss = after.loss
        wrong = perPattern(after.outputs)
        engine.setParams(flat!)
      } else if (powell) {
        powell.sweep(flat!, () => hooks.control?.shouldStop?.() ?? false)
        engine.setParams(flat!)
        const out = engine.outputsAt(null)
        loss = meanBce(out, batch.targets)
        wrong = perPattern(out)
      } else {
        // Loss and wrong pixels are those of the weights before this epoch's update: they come
        // free with the gradient's forward pass. A run that already meets the criterion, or whose
        // loss is no longer finite, stops without updating.
        engine.epoch(lr, epoch + 1, (out) => {
          loss = meanBce(out, batch.targets)
          wrong = perPattern(out)
          return !solved(wrong) && Number.isFinite(loss)
        })
        preUpdate = true
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
  const denoising = noise ? evaluateDenoising(model, patterns, size, noise) : null
  return { model, outcome: { status, message, epochs: epoch, finalLoss, glyphs, denoising } }
}

/** Latent code, reconstruction and wrong pixels of each clean pattern. */
export function describePatterns(
  model: AutoencoderModel,
  patterns: Float32Array,
  size: number,
  labels: readonly string[]
): GlyphResult[] {
  const n = labels.length
  const { latent, recon } = tf.tidy(() => {
    const x = tf.tensor2d(patterns, [n, size])
    const z = encodeTensor(model, x)
    return { latent: z.arraySync(), recon: decodeTensor(model, z).arraySync() }
  })
  const wrong = wrongPixels(recon.flat(), patterns, size)
  return labels.map((char, i) => ({
    char,
    latent: latent[i] ?? [],
    reconstruction: recon[i] ?? [],
    wrongPixels: wrong[i] ?? 0
  }))
}

/**
 * Denoising quality on the noise drawn for training (the first draw) and on fresh noise:
 * per pattern, the mean wrong pixels before denoising (noisy input) and after.
 */
export function evaluateDenoising(
  model: AutoencoderModel,
  patterns: Float32Array,
  size: number,
  noise: NonNullable<LetterTrainConfig['noise']>,
  copies = Math.max(noise.copies, 10)
): DenoisingSummary {
  const n = patterns.length / size
  const measure = (stream: 'train' | 'fresh', k: number): DenoisingSummary['trainNoise'] => {
    const { inputs, targets } = noisyCopies(
      patterns,
      size,
      { ...noise, copies: k },
      noiseRandom(noise, stream)
    )
    const out = tf.tidy(() =>
      decodeTensor(model, encodeTensor(model, tf.tensor2d(inputs, [n * k, size]))).dataSync()
    )
    const after = wrongPixels(out, targets, size)
    const before = wrongPixels(inputs, targets, size)
    const mean = (values: number[], p: number): number =>
      values.slice(p * k, (p + 1) * k).reduce((a, b) => a + b, 0) / k
    const perPatternAfter = Array.from({ length: n }, (_, p) => mean(after, p))
    const perPatternBefore = Array.from({ length: n }, (_, p) => mean(before, p))
    return {
      copies: k,
      wrongBefore: perPatternBefore,
      wrongAfter: perPatternAfter,
      meanWrongAfter: after.reduce((a, b) => a + b, 0) / after.length,
      meanWrongBefore: before.reduce((a, b) => a + b, 0) / before.length,
      maxWrongAfter: Math.max(...after),
      exactShare: after.filter((w) => w === 0).length / after.length
    }
  }
  return { trainNoise: measure('train', noise.copies), freshNoise: measure('fresh', copies) }
}
