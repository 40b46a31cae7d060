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

export interface ConvImages {
  count: number
  /** count x side x side x channels levels, 0-255. */
  images: Uint8Array
  side: number
  channels: number
  /** count class indices (a conditional model's run needs them). */
  labels?: Uint8Array
}

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
  return trainOnTfjs(
    { count: data.count, images: data.images, labels: data.labels, size: model.shape.inputSize },
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
