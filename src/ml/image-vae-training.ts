import * as tf from '@tensorflow/tfjs'
import { gaussian } from '../shared/noise'
import { mulberry32, permutation } from '../shared/random'
import type { FirstOrderConfig, RunStatus, VaeTrainConfig } from '../shared/schemas'
import { classRows } from './cvae'
import { createOptimizer, learningRateAt } from './optimizers'
import type { Model } from './inference'
import type { TrainControl } from './train-autoencoder'
import { assignFlatValues, flatValues, type VaeLoss } from './vae'
import { batchPixels, type ImageData } from './vae-steps'

// What the image VAEs' trainers share (the dense VAE's train-vae.ts, the conditional VAE's
// train-cvae.ts, the convolutional VAE's train-conv-vae.ts): their hooks and outcome, an epoch's
// bookkeeping (its record, or a divergence rolled back), and the mini-batch loop on tfjs autodiff
// that the conditional and convolutional VAEs train with (the dense VAE's own loop picks an
// engine: vae-steps.ts); and the test set's negative ELBO in its two parts. Every random draw
// (shuffles, reparameterisation noise) comes from the config's seed.

/** One finished epoch: its loss (the negative ELBO) and the loss's two parts, batch means. */
export interface VaeEpochRecord {
  epoch: number
  loss: number
  reconstruction: number
  kl: number
  learningRate: number
  samplesPerSecond: number
}

/** What an image VAE's trainer tells its caller, M being its model. */
export interface ImageVaeHooks<M> {
  /** After each epoch, with the model as trained so far (for live reconstructions). */
  onEpoch?: (record: VaeEpochRecord, model: M) => void
  /** After each batch: the epoch in progress (from 1) and the batches done in it. */
  onBatch?: (epoch: number, batch: number, batches: number, samplesPerSecond: number) => void
  control?: TrainControl
}

export interface VaeOutcome {
  status: RunStatus
  message: string
  epochs: number
  finalLoss: number | null
  /** The engine it trained on, and why (see vae-engine.ts). */
  engine: string
}

/** The parts of an experiment a VAE's training loop reads. */
export type VaeLoopConfig = Pick<
  VaeTrainConfig,
  | 'trainSize'
  | 'batchSize'
  | 'epochs'
  | 'learningRate'
  | 'schedule'
  | 'seed'
  | 'beta'
  | 'latent'
  | 'optimizer'
>

/** The optimizer of a mini-batch run; a full-batch one (L-BFGS, Powell) is refused for `model`. */
export function firstOrder(config: VaeTrainConfig['optimizer'], model: string): FirstOrderConfig {
  if (config.kind === 'lbfgs' || config.kind === 'powell')
    throw new Error(
      `the ${config.kind} optimizer is for small full-batch problems; train the ${model} with adam, sgd or rmsprop`
    )
  return config
}

/** Samples per second since `started` (a performance.now() time). */
export const rate = (samples: number, started: number): number =>
  samples / Math.max((performance.now() - started) / 1000, 1e-6)

/** A run's message when stopped inside epoch `done + 1`. */
export const stoppedIn = (done: number): string => `stopped by the user during epoch ${done + 1}`

/**
 * The end of an epoch (`done` epochs before it) from its summed loss parts: its record, or, for
 * a loss that is not finite, the message of a run that diverged there.
 */
export function epochEnd(
  done: number,
  sums: { reconstruction: number; kl: number },
  shape: { batches: number; batchSize: number; beta: number; learningRate: number },
  started: number
): { record: VaeEpochRecord } | { diverged: string } {
  const reconstruction = sums.reconstruction / shape.batches
  const kl = sums.kl / shape.batches
  const loss = reconstruction + shape.beta * kl
  if (!Number.isFinite(loss))
    return {
      diverged: `training diverged in epoch ${done + 1} (loss ${loss}); kept the weights of epoch ${done}. Try a lower learning rate.`
    }
  const seconds = (performance.now() - started) / 1000
  return {
    record: {
      epoch: done + 1,
      loss,
      reconstruction,
      kl,
      learningRate: shape.learningRate,
      samplesPerSecond: (shape.batches * shape.batchSize) / seconds
    }
  }
}

/** Images a loop trains on; a conditional model's with their classes. */
export type TrainingRows = ImageData & { labels?: Uint8Array }

/** The images of a run (`trainSize` of them at most) and its batch size; none is an error. */
export function runSize(
  config: Pick<VaeTrainConfig, 'trainSize' | 'batchSize'>,
  available: number
): { count: number; batchSize: number } {
  const count = Math.min(config.trainSize, available)
  if (count === 0) throw new Error('the data set has no training images')
  return { count, batchSize: Math.min(config.batchSize, count) }
}

/** Every training image's class must be one of a conditional model's `classes`. */
export function checkClasses(labels: Uint8Array, count: number, classes: number): void {
  for (let i = 0; i < count; i++)
    if (labels[i]! >= classes)
      throw new Error(
        `training image ${i} has class ${labels[i]}, outside the ${classes} classes of this conditional VAE`
      )
}

/** The models the tfjs loop trains (their variables in one list, encoder's first). */
type TfjsModel = Model & { variables: tf.Variable[] }

/** A model the tfjs loop trains: its variables, and its loss for pixels, draws and classes. */
export interface TfjsVae<M extends TfjsModel> {
  model: M
  /** Width of the class one-hot fed to the model (0: it takes no class). */
  classes: number
  loss(x: tf.Tensor2D, eps: tf.Tensor2D, y: tf.Tensor2D | null): VaeLoss
  engine: string
}

/**
 * Trains a model with mini-batches on tfjs ops: the loss differentiated by tf.variableGrads, the
 * step taken by a tf.train optimizer (optimizers.ts). Stop and pause are checked before every
 * batch; a diverged epoch is rolled back. The model is disposed if training throws.
 */
export async function trainOnTfjs<M extends TfjsModel>(
  data: TrainingRows,
  config: Omit<VaeLoopConfig, 'optimizer'> & { optimizer: FirstOrderConfig },
  { model, classes, loss, engine }: TfjsVae<M>,
  hooks: ImageVaeHooks<M> = {}
): Promise<{ model: M; outcome: VaeOutcome }> {
  const size = data.size
  let sizes: { count: number; batchSize: number }
  try {
    sizes = runSize(config, data.count)
  } catch (error) {
    model.dispose()
    throw error
  }
  const { count, batchSize } = sizes
  const optimizer = createOptimizer(config.optimizer)
  const random = mulberry32(config.seed ^ 0x5eed)
  const batches = Math.floor(count / batchSize)
  const pixels = new Float32Array(batchSize * size)
  const noise = new Float32Array(batchSize * config.latent)
  const labels = new Array<number>(batchSize)
  let snapshot = flatValues(model.variables)
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
            message = stoppedIn(epoch)
            break outer
          }
          const indices = order.subarray(b * batchSize, (b + 1) * batchSize)
          batchPixels(data, indices, pixels)
          if (classes > 0)
            for (let k = 0; k < batchSize; k++) labels[k] = data.labels![indices[k]!]!
          for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
          const [nextRecon, nextKl] = tf.tidy(() => {
            const x = tf.tensor2d(pixels, [batchSize, size])
            const y =
              classes > 0
                ? tf.tensor2d(classRows({ shape: { classes } }, labels, batchSize), [
                    batchSize,
                    classes
                  ])
                : null
            const eps = tf.tensor2d(noise, [batchSize, config.latent])
            const parts: tf.Scalar[] = []
            const { grads } = tf.variableGrads(() => {
              const step = loss(x, eps, y)
              parts.push(tf.keep(step.reconstruction), tf.keep(step.kl))
              return tf.add(step.reconstruction, tf.mul(step.kl, config.beta)) as tf.Scalar
            }, model.variables)
            optimizer.applyGradients(grads)
            const sums = [tf.add(recon, parts[0]!), tf.add(kl, parts[1]!)]
            tf.dispose(parts)
            return sums
          })
          tf.dispose([recon, kl])
          recon = nextRecon as tf.Scalar
          kl = nextKl as tf.Scalar
          hooks.onBatch?.(epoch + 1, b + 1, batches, rate((b + 1) * batchSize, started))
        }
        const sums = { reconstruction: (await recon.data())[0]!, kl: (await kl.data())[0]! }
        const end = epochEnd(
          epoch,
          sums,
          { batches, batchSize, beta: config.beta, learningRate: lr },
          started
        )
        if ('diverged' in end) {
          assignFlatValues(model.variables, snapshot)
          status = 'diverged'
          message = end.diverged
          break
        }
        epoch++
        finalLoss = end.record.loss
        snapshot = flatValues(model.variables)
        hooks.onEpoch?.(end.record, model)
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

/**
 * Mean reconstruction BCE and KL per image over a test set, in whole batches of 500 (or the
 * whole of a smaller set), with seeded reparameterisation draws; `loss` gives a batch's parts
 * for its pixels, draws and (a conditional model) the one-hot rows of its images' classes.
 */
export function testLossParts(
  data: TrainingRows,
  config: { latent: number; classes: number; seed: number },
  loss: (x: tf.Tensor2D, eps: tf.Tensor2D, y: tf.Tensor2D | null) => VaeLoss
): { reconstruction: number; kl: number } {
  const batch = Math.min(500, data.count)
  if (batch === 0) throw new Error('the test set has no images')
  const { latent, classes } = config
  const random = mulberry32(config.seed ^ 0x7e57)
  const pixels = new Float32Array(batch * data.size)
  const noise = new Float32Array(batch * latent)
  let recon = 0
  let kl = 0
  let seen = 0
  for (let start = 0; start + batch <= data.count; start += batch) {
    const indices = Array.from({ length: batch }, (_, i) => start + i)
    batchPixels(data, indices, pixels)
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const y =
        classes > 0
          ? tf.tensor2d(
              classRows(
                { shape: { classes } },
                Array.from(data.labels!.subarray(start, start + batch)),
                batch
              ),
              [batch, classes]
            )
          : null
      const step = loss(
        tf.tensor2d(pixels, [batch, data.size]),
        tf.tensor2d(noise, [batch, latent]),
        y
      )
      recon += step.reconstruction.dataSync()[0]! * batch
      kl += step.kl.dataSync()[0]! * batch
    })
    seen += batch
  }
  return { reconstruction: recon / seen, kl: kl / seen }
}
