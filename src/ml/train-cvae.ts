import * as tf from '@tensorflow/tfjs'
import { gaussian } from '../shared/noise'
import { mulberry32, permutation } from '../shared/random'
import type { RunStatus, VaeTrainConfig } from '../shared/schemas'
import {
  assignCvaeParams,
  classRows,
  createCvae,
  cvaeLoss,
  cvaeParams,
  type CvaeModel
} from './cvae'
import { createOptimizer, learningRateAt } from './optimizers'
import type { TrainControl } from './train-autoencoder'
import { batchPixels, type VaeEpochRecord, type VaeOutcome } from './train-vae'

// Trains the conditional VAE with mini-batches on tfjs ops: the loss (cvae.ts) differentiated by
// tf.variableGrads, the step taken by a tf.train optimizer (optimizers.ts), as the other backends
// train the dense VAE (vae-tfjs.ts). Stop and pause are checked before every batch. Every draw
// (shuffles, reparameterisation noise) comes from the config's seed.

export interface LabelledImages {
  count: number
  /** count x size grey levels, 0-255. */
  images: Uint8Array
  /** count class indices. */
  labels: Uint8Array
  size: number
}

export interface CvaeHooks {
  onEpoch?: (record: VaeEpochRecord, model: CvaeModel) => void
  onBatch?: (epoch: number, batch: number, batches: number, samplesPerSecond: number) => void
  control?: TrainControl
}

export async function trainCvae(
  data: LabelledImages,
  config: VaeTrainConfig & { classes: number },
  hooks: CvaeHooks = {}
): Promise<{ model: CvaeModel; outcome: VaeOutcome }> {
  const optimizerConfig = config.optimizer
  if (optimizerConfig.kind === 'lbfgs' || optimizerConfig.kind === 'powell')
    throw new Error(
      `the ${optimizerConfig.kind} optimizer is for small full-batch problems; train the conditional VAE with adam, sgd or rmsprop`
    )
  const count = Math.min(config.trainSize, data.count)
  const batchSize = Math.min(config.batchSize, count)
  if (batchSize === 0) throw new Error('the data set has no training images')
  for (let i = 0; i < count; i++)
    if (data.labels[i]! >= config.classes)
      throw new Error(
        `training image ${i} has class ${data.labels[i]}, outside the ${config.classes} classes of this conditional VAE`
      )
  const model = createCvae(
    {
      inputSize: data.size,
      hidden: config.hidden,
      latent: config.latent,
      activation: config.activation,
      classes: config.classes
    },
    config.seed
  )
  const engine = 'tfjs autodiff and tf.train (the conditional VAE does not run on the lab kernels)'
  const optimizer = createOptimizer(optimizerConfig)
  const random = mulberry32(config.seed ^ 0x5eed)
  const batches = Math.floor(count / batchSize)
  const pixels = new Float32Array(batchSize * data.size)
  const noise = new Float32Array(batchSize * config.latent)
  const labels = new Array<number>(batchSize)
  let snapshot = cvaeParams(model)
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
      try {
        for (let b = 0; b < batches; b++) {
          if ((await hooks.control?.checkpoint(() => model)) === 'stop') {
            status = 'stopped'
            message = `stopped by the user during epoch ${epoch + 1}`
            break outer
          }
          const indices = order.subarray(b * batchSize, (b + 1) * batchSize)
          batchPixels(data, indices, pixels)
          for (let k = 0; k < batchSize; k++) labels[k] = data.labels[indices[k]!]!
          for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
          const [nextRecon, nextKl] = tf.tidy(() => {
            const x = tf.tensor2d(pixels, [batchSize, data.size])
            const y = tf.tensor2d(classRows(model, labels, batchSize), [batchSize, config.classes])
            const eps = tf.tensor2d(noise, [batchSize, config.latent])
            const parts: tf.Scalar[] = []
            optimizer.minimize(
              () => {
                const loss = cvaeLoss(model, x, y, eps)
                parts.push(tf.keep(loss.reconstruction), tf.keep(loss.kl))
                return tf.add(loss.reconstruction, tf.mul(loss.kl, config.beta)) as tf.Scalar
              },
              false,
              model.variables
            )
            const sums = [tf.add(recon, parts[0]!), tf.add(kl, parts[1]!)]
            tf.dispose(parts)
            return sums
          })
          tf.dispose([recon, kl])
          recon = nextRecon as tf.Scalar
          kl = nextKl as tf.Scalar
          if (hooks.onBatch) {
            const seconds = (performance.now() - started) / 1000
            hooks.onBatch(
              epoch + 1,
              b + 1,
              batches,
              ((b + 1) * batchSize) / Math.max(seconds, 1e-6)
            )
          }
        }
        const reconstruction = (await recon.data())[0]! / batches
        const klValue = (await kl.data())[0]! / batches
        const loss = reconstruction + config.beta * klValue
        if (!Number.isFinite(loss)) {
          assignCvaeParams(model, snapshot)
          status = 'diverged'
          message = `training diverged in epoch ${epoch + 1} (loss ${loss}); kept the weights of epoch ${epoch}. Try a lower learning rate.`
          break
        }
        epoch++
        finalLoss = loss
        snapshot = cvaeParams(model)
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
      } finally {
        tf.dispose([recon, kl])
      }
    }
  } catch (error) {
    optimizer.dispose()
    model.dispose()
    throw error
  }
  optimizer.dispose()
  return { model, outcome: { status, message, epochs: epoch, finalLoss, engine } }
}
