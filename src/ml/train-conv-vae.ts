import * as tf from '@tensorflow/tfjs'
import type { ExperimentOf } from '../shared/experiments'
import { conditionClasses, convShapeProblem } from './conv-architecture'
import { convVaeLoss, createConvVae, type ConvVaeModel } from './conv-vae'
import {
  checkClasses,
  firstOrder,
  runSize,
  trainOnTfjs,
  type ImageVaeHooks,
  type VaeOutcome
} from './image-vae-training'
import { registerWasmConvGradients } from './wasm-conv'

// Trains a convolutional VAE with mini-batches on tfjs autodiff (image-vae-training.ts:
// tf.variableGrads, a tf.train optimizer from optimizers.ts), on whichever backend is active:
// wasm (with the filter gradient of wasm-conv.ts) or cpu. Stop and pause are checked before
// every batch. A conditional one (`conditional`) takes each image's class. Every random draw (shuffles, reparameterisation noise, initial weights) comes
// from the experiment's seed.

/**
 * count images of side x side x channels levels, 0-255: in memory, or read from disk a batch at
 * a time; with their class indices (a conditional model's run needs them).
 */
export type ConvImages = (
  { images: Uint8Array } | { read(indices: ArrayLike<number>, into: Uint8Array): void }
) & { count: number; side: number; channels: number; labels?: Uint8Array }

export type ConvVaeHooks = ImageVaeHooks<ConvVaeModel>

type ConvVaeExperiment = ExperimentOf<'conv-vae'>

export async function trainConvVae(
  data: ConvImages,
  config: ConvVaeExperiment,
  hooks: ConvVaeHooks = {}
): Promise<{ model: ConvVaeModel; outcome: VaeOutcome }> {
  const optimizer = firstOrder(config.optimizer, 'VAE')
  const problem = convShapeProblem(data.side, data.channels, config.filters.length)
  if (problem) throw new Error(problem)
  const classes = conditionClasses(config)
  if (classes > 0) {
    if (!data.labels) throw new Error('a conditional VAE trains on labelled images')
    checkClasses(data.labels, runSize(config, data.count).count, classes)
  }
  registerWasmConvGradients()
  const model = createConvVae(
    {
      size: data.side,
      channels: data.channels,
      filters: config.filters,
      dense: config.dense,
      latent: config.latent,
      classes
    },
    config.seed
  )
  const size = model.shape.inputSize
  return trainOnTfjs(
    'read' in data
      ? { count: data.count, read: data.read, labels: data.labels, size }
      : { count: data.count, images: data.images, labels: data.labels, size },
    { ...config, optimizer },
    {
      model,
      classes,
      loss: (x, eps, y) => convVaeLoss(model, x, eps, y),
      engine: `tfjs autodiff on ${tf.getBackend()}`
    },
    hooks
  )
}
