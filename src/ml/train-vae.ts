import * as tf from '@tensorflow/tfjs'
import type { RunStatus, VaeTrainConfig } from '../shared/schemas'
import { gaussian } from '../shared/noise'
import { createOptimizer, learningRateAt } from './optimizers'
import { mulberry32, permutation } from '../shared/random'
import { createVae, vaeGradient, type VaeModel } from './vae'
import type { TrainControl } from './train-autoencoder'

// Trains the VAE with mini-batches. Every random draw (shuffles, reparameterisation noise)
// comes from the config's seed, so the same seed on the same backend gives the same run.

export interface ImageData {
  count: number
  /** count x size grey levels, 0-255. */
  images: Uint8Array
  size: number
}

export interface VaeEpochRecord {
  epoch: number
  loss: number
  reconstruction: number
  kl: number
  learningRate: number
  samplesPerSecond: number
}

export interface VaeHooks {
  /** After each epoch, with the model as trained so far (for live reconstructions). */
  onEpoch?: (record: VaeEpochRecord, model: VaeModel) => void
  /** After each batch: the epoch in progress (from 1) and the batches done in it. */
  onBatch?: (epoch: number, batch: number, batches: number, samplesPerSecond: number) => void
  control?: TrainControl
}

export interface VaeOutcome {
  status: RunStatus
  message: string
  epochs: number
  finalLoss: number | null
}

/**
 * Fills `out` with the grey levels of the chosen images scaled to [0, 1], one image per row, and
 * `outT`, if given, with the same batch transposed (one pixel per row; the backward pass needs
 * it, and writing it here is cheaper than a transpose kernel).
 */
export function batchPixels(
  data: ImageData,
  indices: ArrayLike<number>,
  out: Float32Array,
  outT?: Float32Array
): Float32Array {
  const rows = indices.length
  for (let b = 0; b < rows; b++) {
    const from = indices[b]! * data.size
    const to = b * data.size
    for (let k = 0; k < data.size; k++) out[to + k] = data.images[from + k]! / 255
  }
  if (outT) {
    for (let k = 0; k < data.size; k++)
      for (let b = 0; b < rows; b++) outT[k * rows + b] = out[b * data.size + k]!
  }
  return out
}

export async function trainVae(
  data: ImageData,
  config: VaeTrainConfig,
  hooks: VaeHooks = {}
): Promise<{ model: VaeModel; outcome: VaeOutcome }> {
  const optimizerConfig = config.optimizer
  if (optimizerConfig.kind === 'lbfgs' || optimizerConfig.kind === 'powell') {
    throw new Error(
      `the ${optimizerConfig.kind} optimizer is for small full-batch problems; train the VAE with adam, sgd or rmsprop`
    )
  }
  const count = Math.min(config.trainSize, data.count)
  const batchSize = Math.min(config.batchSize, count)
  const model = createVae(
    {
      inputSize: data.size,
      hidden: config.hidden,
      latent: config.latent,
      activation: config.activation
    },
    config.seed
  )
  const optimizer = createOptimizer(
    optimizerConfig,
    model.variables.map((v) => v.shape)
  )
  const random = mulberry32(config.seed ^ 0x5eed)
  const pixels = new Float32Array(batchSize * data.size)
  const pixelsT = new Float32Array(batchSize * data.size)
  const noise = new Float32Array(batchSize * config.latent)
  const batches = Math.floor(count / batchSize)
  let snapshot = model.variables.map((v) => tf.clone(v))
  let status: RunStatus = 'completed'
  let message = `ran all ${config.epochs} epochs`
  let finalLoss: number | null = null
  let epoch = 0
  let step = 0
  try {
    outer: while (epoch < config.epochs) {
      const order = permutation(count, random)
      const lr = learningRateAt(config.learningRate, config.schedule, epoch + 1, config.epochs)
      const started = performance.now()
      let recon = tf.scalar(0)
      let kl = tf.scalar(0)
      for (let b = 0; b < batches; b++) {
        if ((await hooks.control?.checkpoint(model)) === 'stop') {
          recon.dispose()
          kl.dispose()
          status = 'stopped'
          message = `stopped by the user during epoch ${epoch + 1}`
          break outer
        }
        batchPixels(data, order.subarray(b * batchSize, (b + 1) * batchSize), pixels, pixelsT)
        for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
        const [nextRecon, nextKl] = tf.tidy(() => {
          const x = tf.tensor2d(pixels, [batchSize, data.size])
          const xT = tf.tensor2d(pixelsT, [data.size, batchSize])
          const eps = tf.tensor2d(noise, [batchSize, config.latent])
          const result = vaeGradient(model, model.variables, x, eps, config.beta, xT)
          optimizer.apply(model.variables, result.grads, lr, ++step)
          return [tf.add(recon, result.reconstruction), tf.add(kl, result.kl)]
        })
        recon.dispose()
        kl.dispose()
        recon = nextRecon as tf.Scalar
        kl = nextKl as tf.Scalar
        if (hooks.onBatch) {
          const seconds = (performance.now() - started) / 1000
          hooks.onBatch(epoch + 1, b + 1, batches, ((b + 1) * batchSize) / Math.max(seconds, 1e-6))
        }
      }
      const reconstruction = (await recon.data())[0]! / batches
      const klValue = (await kl.data())[0]! / batches
      recon.dispose()
      kl.dispose()
      const loss = reconstruction + config.beta * klValue
      if (!Number.isFinite(loss)) {
        model.variables.forEach((v, i) => v.assign(snapshot[i]!))
        status = 'diverged'
        message = `training diverged in epoch ${epoch + 1} (loss ${loss}); kept the weights of epoch ${epoch}. Try a lower learning rate.`
        break
      }
      epoch++
      finalLoss = loss
      tf.dispose(snapshot)
      snapshot = model.variables.map((v) => tf.clone(v))
      const seconds = (performance.now() - started) / 1000
      hooks.onEpoch?.(
        {
          epoch,
          loss,
          reconstruction,
          kl: klValue,
          learningRate: lr,
          samplesPerSecond: (batches * batchSize) / seconds
        },
        model
      )
    }
  } finally {
    tf.dispose(snapshot)
    optimizer.dispose()
  }
  return { model, outcome: { status, message, epochs: epoch, finalLoss } }
}
