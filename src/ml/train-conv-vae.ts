import * as tf from '@tensorflow/tfjs'
import type { RunStatus } from '../shared/schemas'
import type { ExperimentOf } from '../shared/experiments'
import { gaussian } from '../shared/noise'
import { mulberry32, permutation } from '../shared/random'
import { convShapeProblem } from './conv-architecture'
import {
  assignConvVaeParams,
  convVaeLoss,
  convVaeParams,
  createConvVae,
  type ConvVaeModel
} from './conv-vae'
import { createOptimizer, learningRateAt } from './optimizers'
import type { TrainControl } from './train-autoencoder'
import { batchPixels, type VaeEpochRecord } from './train-vae'
import { registerWasmConvGradients } from './wasm-conv'

// Trains a convolutional VAE with mini-batches on tfjs autodiff (tf.variableGrads, a tf.train
// optimizer from optimizers.ts), on whichever backend is active: wasm (with the filter gradient
// of wasm-conv.ts) or cpu. Stop and pause are checked before every batch. Every random draw
// (shuffles, reparameterisation noise, initial weights) comes from the experiment's seed.

export interface ConvImages {
  count: number
  /** count x side x side x channels levels, 0-255. */
  images: Uint8Array
  side: number
  channels: number
}

export interface ConvVaeHooks {
  onEpoch?: (record: VaeEpochRecord, model: ConvVaeModel) => void
  onBatch?: (epoch: number, batch: number, batches: number, samplesPerSecond: number) => void
  control?: TrainControl
}

export interface ConvVaeOutcome {
  status: RunStatus
  message: string
  epochs: number
  finalLoss: number | null
  engine: string
}

type ConvVaeExperiment = ExperimentOf<'conv-vae'>

export async function trainConvVae(
  data: ConvImages,
  config: ConvVaeExperiment,
  hooks: ConvVaeHooks = {}
): Promise<{ model: ConvVaeModel; outcome: ConvVaeOutcome }> {
  const opt = config.optimizer
  if (opt.kind === 'lbfgs' || opt.kind === 'powell')
    throw new Error(
      `the ${opt.kind} optimizer is for small full-batch problems; train the VAE with adam, sgd or rmsprop`
    )
  const problem = convShapeProblem(data.side, data.channels, config.filters.length)
  if (problem) throw new Error(problem)
  const count = Math.min(config.trainSize, data.count)
  if (count === 0) throw new Error('the data set has no training images')
  const batchSize = Math.min(config.batchSize, count)
  registerWasmConvGradients()
  const model = createConvVae(
    {
      size: data.side,
      channels: data.channels,
      filters: config.filters,
      dense: config.dense,
      latent: config.latent
    },
    config.seed
  )
  const size = model.shape.inputSize
  const latent = config.latent
  const optimizer = createOptimizer(opt)
  const random = mulberry32(config.seed ^ 0x5eed)
  const batches = Math.floor(count / batchSize)
  const pixels = new Float32Array(batchSize * size)
  const noise = new Float32Array(batchSize * latent)
  const source = { count: data.count, images: data.images, size }
  const engine = `tfjs autodiff on ${tf.getBackend()}`
  let snapshot = convVaeParams(model)
  let status: RunStatus = 'completed'
  let message = `ran all ${config.epochs} epochs`
  let finalLoss: number | null = null
  let epoch = 0
  try {
    outer: while (epoch < config.epochs) {
      const order = permutation(count, random)
      const lr = learningRateAt(config.learningRate, config.schedule, epoch + 1, config.epochs)
      optimizer.setLearningRate(lr)
      const started = performance.now()
      let recon = tf.scalar(0)
      let kl = tf.scalar(0)
      for (let b = 0; b < batches; b++) {
        if ((await hooks.control?.checkpoint(() => model)) === 'stop') {
          status = 'stopped'
          message = `stopped by the user during epoch ${epoch + 1}`
          tf.dispose([recon, kl])
          break outer
        }
        batchPixels(source, order.subarray(b * batchSize, (b + 1) * batchSize), pixels)
        for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
        const [nextRecon, nextKl] = tf.tidy(() => {
          const x = tf.tensor2d(pixels, [batchSize, size])
          const eps = tf.tensor2d(noise, [batchSize, latent])
          const parts: tf.Scalar[] = []
          const { grads } = tf.variableGrads(() => {
            const loss = convVaeLoss(model, x, eps)
            parts.push(tf.keep(loss.reconstruction), tf.keep(loss.kl))
            return tf.add(loss.reconstruction, tf.mul(loss.kl, config.beta)) as tf.Scalar
          }, model.variables)
          optimizer.applyGradients(grads)
          const out = [tf.add(recon, parts[0]!), tf.add(kl, parts[1]!)]
          tf.dispose(parts)
          return out
        })
        tf.dispose([recon, kl])
        recon = nextRecon as tf.Scalar
        kl = nextKl as tf.Scalar
        if (hooks.onBatch) {
          const seconds = (performance.now() - started) / 1000
          hooks.onBatch(epoch + 1, b + 1, batches, ((b + 1) * batchSize) / Math.max(seconds, 1e-6))
        }
      }
      const reconstruction = (await recon.data())[0]! / batches
      const klValue = (await kl.data())[0]! / batches
      tf.dispose([recon, kl])
      const loss = reconstruction + config.beta * klValue
      if (!Number.isFinite(loss)) {
        assignConvVaeParams(model, snapshot)
        status = 'diverged'
        message = `training diverged in epoch ${epoch + 1} (loss ${loss}); kept the weights of epoch ${epoch}. Try a lower learning rate.`
        break
      }
      epoch++
      finalLoss = loss
      snapshot = convVaeParams(model)
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
    optimizer.dispose()
  }
  return { model, outcome: { status, message, epochs: epoch, finalLoss, engine } }
}
