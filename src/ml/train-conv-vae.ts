import * as tf from '@tensorflow/tfjs'
import type { ExperimentOf } from '../shared/experiments'
import { convShapeProblem } from './conv-architecture'
import { convVaeLoss, createConvVae, type ConvVaeModel } from './conv-vae'
import { firstOrder, trainOnTfjs, type ImageVaeHooks, type VaeOutcome } from './image-vae-training'
import { registerWasmConvGradients } from './wasm-conv'

// Trains a convolutional VAE with mini-batches on tfjs autodiff (image-vae-training.ts:
// tf.variableGrads, a tf.train optimizer from optimizers.ts), on whichever backend is active:
// wasm (with the filter gradient of wasm-conv.ts) or cpu. Stop and pause are checked before
// every batch. Every random draw (shuffles, reparameterisation noise, initial weights) comes
// from the experiment's seed.

export interface ConvImages {
  count: number
  /** count x side x side x channels levels, 0-255. */
  images: Uint8Array
  side: number
  channels: number
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
  return trainOnTfjs(
    { count: data.count, images: data.images, size: model.shape.inputSize },
    { ...config, optimizer },
    {
      model,
      classes: 0,
      loss: (x, eps) => convVaeLoss(model, x, eps),
      engine: `tfjs autodiff on ${tf.getBackend()}`
    },
    hooks
  )
}
