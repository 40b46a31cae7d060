import * as tf from '@tensorflow/tfjs'
import type { Glyph, GlyphResult, LetterTrainConfig, RunStatus } from '../shared/schemas'
import {
  applyLayers,
  binaryCrossEntropyFromLogits,
  createAutoencoder,
  decode,
  encode,
  type Autoencoder
} from './autoencoder'

// Trains the letters autoencoder on a set of glyphs, full batch. Progress leaves through the
// callbacks the caller passes in, as plain numbers; the caller can stop or pause between epochs.

export interface EpochStats {
  epoch: number
  loss: number
  /** Wrong pixels (output thresholded at 0.5) of the worst glyph, before this epoch's update. */
  maxWrongPixels: number
}

export interface TrainControl {
  /** Called between epochs; resolves when training may go on (returns at once unless paused). */
  checkpoint(): Promise<'continue' | 'stop'> | 'continue' | 'stop'
}

export interface TrainHooks {
  onEpoch?: (stats: EpochStats) => void
  control?: TrainControl
}

export interface LettersOutcome {
  status: RunStatus
  message: string
  epochs: number
  finalLoss: number | null
  glyphs: GlyphResult[]
}

export interface LettersRun {
  model: Autoencoder
  outcome: LettersOutcome
}

const SNAPSHOT_EVERY = 10

/** Counts, per glyph, the pixels whose output is on the wrong side of 0.5. */
export function wrongPixelsPerGlyph(
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  pixels: number
): number[] {
  const count = targets.length / pixels
  const wrong: number[] = []
  for (let g = 0; g < count; g++) {
    let n = 0
    for (let p = g * pixels; p < (g + 1) * pixels; p++)
      if ((outputs[p]! >= 0.5 ? 1 : 0) !== targets[p]) n++
    wrong.push(n)
  }
  return wrong
}

export async function trainLetters(
  glyphs: readonly Glyph[],
  config: LetterTrainConfig,
  hooks: TrainHooks = {}
): Promise<LettersRun> {
  const pixels = glyphs[0]?.pixels.length ?? 0
  if (glyphs.length === 0 || pixels === 0) throw new Error('there are no glyphs to train on')
  const targetsFlat = Float32Array.from(glyphs.flatMap((g) => g.pixels))
  const x = tf.tensor2d(targetsFlat, [glyphs.length, pixels])
  const model = createAutoencoder({
    inputSize: pixels,
    hidden: config.hidden,
    latent: config.latent,
    activation: config.activation,
    seed: config.seed
  })
  const layers = [...model.encoder, ...model.decoder]
  const optimizer = tf.train.adam(config.learningRate)
  let snapshot: tf.Tensor[] = model.variables.map((v) => tf.clone(v))
  let status: RunStatus = 'completed'
  let message = `ran all ${config.epochs} epochs`
  let finalLoss: number | null = null
  let epoch = 0
  try {
    while (epoch < config.epochs) {
      const decision = await hooks.control?.checkpoint()
      if (decision === 'stop') {
        status = 'stopped'
        message = `stopped by the user after ${epoch} epochs`
        break
      }
      let outputs: tf.Tensor | undefined
      const { value, grads } = tf.variableGrads(() => {
        const logits = applyLayers(x, layers, true)
        outputs = tf.keep(tf.sigmoid(logits))
        return binaryCrossEntropyFromLogits(logits, x)
      }, model.variables)
      const loss = (await value.data())[0]!
      const out = await outputs!.data()
      value.dispose()
      outputs!.dispose()
      if (!Number.isFinite(loss)) {
        tf.dispose(grads)
        model.variables.forEach((v, i) => v.assign(snapshot[i]!))
        status = 'diverged'
        message = `training diverged at epoch ${epoch + 1} (loss ${loss}); kept the weights of epoch ${epoch - (epoch % SNAPSHOT_EVERY)}. Try a lower learning rate.`
        break
      }
      const maxWrong = Math.max(...wrongPixelsPerGlyph(out, targetsFlat, pixels))
      finalLoss = loss
      if (config.maxWrongPixels !== null && maxWrong <= config.maxWrongPixels) {
        tf.dispose(grads)
        hooks.onEpoch?.({ epoch, loss, maxWrongPixels: maxWrong })
        status = 'solved'
        message = `every glyph within ${config.maxWrongPixels} wrong pixel${config.maxWrongPixels === 1 ? '' : 's'} after ${epoch} epochs`
        break
      }
      optimizer.applyGradients(
        model.variables.map((v) => ({ name: v.name, tensor: grads[v.name]! }))
      )
      tf.dispose(grads)
      epoch++
      hooks.onEpoch?.({ epoch, loss, maxWrongPixels: maxWrong })
      if (epoch % SNAPSHOT_EVERY === 0) {
        tf.dispose(snapshot)
        snapshot = model.variables.map((v) => tf.clone(v))
      }
    }
  } finally {
    tf.dispose(snapshot)
    optimizer.dispose()
  }
  const results = tf.tidy(() => {
    const latent = encode(model, x)
    return { latent: latent.arraySync(), recon: decode(model, latent).arraySync() }
  })
  x.dispose()
  const wrong = wrongPixelsPerGlyph(results.recon.flat(), targetsFlat, pixels)
  return {
    model,
    outcome: {
      status,
      message,
      epochs: epoch,
      finalLoss,
      glyphs: glyphs.map((g, i) => ({
        char: g.char,
        latent: results.latent[i] ?? [],
        reconstruction: results.recon[i] ?? [],
        wrongPixels: wrong[i] ?? 0
      }))
    }
  }
}
