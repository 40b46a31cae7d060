import { createCvae, cvaeLoss, type CvaeModel } from './cvae'
import {
  checkClasses,
  firstOrder,
  runSize,
  trainOnTfjs,
  type ImageVaeHooks,
  type VaeOutcome
} from './image-vae-training'
import type { VaeTrainConfig } from '../shared/schemas'
import type { ImageData } from './vae-steps'

// Trains the conditional VAE with mini-batches on tfjs ops (image-vae-training.ts): the loss
// (cvae.ts) differentiated by tf.variableGrads, the step taken by a tf.train optimizer, as the
// other backends train the dense VAE (vae-tfjs.ts). Stop and pause are checked before every
// batch. Every draw (shuffles, reparameterisation noise) comes from the config's seed.

/** Images (in memory, or read from disk a batch at a time) and their class indices. */
export type LabelledImages = ImageData & { labels: Uint8Array }

export type CvaeHooks = ImageVaeHooks<CvaeModel>

export async function trainCvae(
  data: LabelledImages,
  config: VaeTrainConfig & { classes: number },
  hooks: CvaeHooks = {}
): Promise<{ model: CvaeModel; outcome: VaeOutcome }> {
  const optimizer = firstOrder(config.optimizer, 'conditional VAE')
  const { count } = runSize(config, data.count)
  checkClasses(data.labels, count, config.classes)
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
  return trainOnTfjs(
    data,
    { ...config, optimizer },
    {
      model,
      classes: config.classes,
      loss: (x, eps, y) => cvaeLoss(model, x, y!, eps),
      engine: 'tfjs autodiff and tf.train (the conditional VAE does not run on the lab kernels)'
    },
    hooks
  )
}
