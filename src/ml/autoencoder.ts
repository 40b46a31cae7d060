import * as tf from '@tensorflow/tfjs'
import { forward, initialParams, layout, unpack, type MlpSpec } from './mlp'
import { mulberry32 } from '../shared/random'
import { autoencoderSpec, shapeOf, type AutoencoderShape } from './architecture'

export { autoencoderSpec, shapeOf, type AutoencoderShape }

// The dense autoencoder (plain or denoising): one chain of layers, input -> hidden -> latent ->
// hidden -> sigmoid output, whose first `latentLayer` layers are the encoder.

export interface AutoencoderModel {
  kind: 'autoencoder'
  spec: MlpSpec
  /** Layers [0, latentLayer) encode; [latentLayer, end) decode. */
  latentLayer: number
  latent: number
  theta: tf.Variable<tf.Rank.R1>
  dispose(): void
}

/** A new autoencoder with seeded Glorot-uniform weights, or the given flat parameters. */
export function createAutoencoder(
  shape: AutoencoderShape,
  seed: number,
  params?: Float32Array
): AutoencoderModel {
  const { spec, latentLayer } = autoencoderSpec(shape)
  const count = layout(spec).count
  if (params && params.length !== count)
    throw new Error(`expected ${count} parameters, got ${params.length}`)
  const values = params ?? initialParams(spec, mulberry32(seed))
  const theta = tf.tidy(() => tf.variable(tf.tensor1d(values), false))
  return {
    kind: 'autoencoder',
    spec,
    latentLayer,
    latent: shape.latent,
    theta,
    dispose: () => theta.dispose()
  }
}

const encoderSpec = (m: AutoencoderModel): MlpSpec => ({
  layers: m.spec.layers.slice(0, m.latentLayer)
})
const decoderSpec = (m: AutoencoderModel): MlpSpec => ({
  layers: m.spec.layers.slice(m.latentLayer)
})

function splitWeights(m: AutoencoderModel): {
  encoder: ReturnType<typeof unpack>
  decoder: ReturnType<typeof unpack>
} {
  const all = unpack(m.spec, m.theta)
  return {
    encoder: {
      kernels: all.kernels.slice(0, m.latentLayer),
      biases: all.biases.slice(0, m.latentLayer)
    },
    decoder: { kernels: all.kernels.slice(m.latentLayer), biases: all.biases.slice(m.latentLayer) }
  }
}

/** Latent codes of x (rows are patterns). Call inside tf.tidy. */
export function encodeTensor(m: AutoencoderModel, x: tf.Tensor2D): tf.Tensor2D {
  return forward(encoderSpec(m), splitWeights(m).encoder, x).outputs.at(-1)!
}

/** Decoded patterns (sigmoid outputs) of latent codes z. Call inside tf.tidy. */
export function decodeTensor(m: AutoencoderModel, z: tf.Tensor2D): tf.Tensor2D {
  return forward(decoderSpec(m), splitWeights(m).decoder, z).outputs.at(-1)!
}

/** The last layer's pre-activations (logits) for `inputs`, at parameters `theta`. Call inside tf.tidy. */
export function autoencoderLogits(
  m: AutoencoderModel,
  theta: tf.Tensor1D,
  inputs: tf.Tensor2D
): tf.Tensor2D {
  return forward(m.spec, unpack(m.spec, theta), inputs, true).outputs.at(-1)!
}

/**
 * The training loss: the mean binary cross-entropy between sigmoid(logits) and `targets`
 * (tf.losses' stable form from logits; tfjs differentiates it). Call inside tf.tidy.
 */
export function autoencoderLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.losses.sigmoidCrossEntropy(targets, logits)
}

/**
 * Mean binary cross-entropy of outputs (probabilities, clamped to [1e-7, 1 - 1e-7]) against
 * targets, computed in JS (it runs every epoch). For a target of 0 or 1, the term is the log of
 * one probability, and those are multiplied in runs of 16 before one log is taken (in float64 a
 * product of 16 clamped terms stays above 1e-112): a sixteenth of the logs, and the letters'
 * 1,120 pixels cost ~4 us instead of ~30 us (measured here). Other targets take both logs.
 */
export function meanBce(outputs: ArrayLike<number>, targets: ArrayLike<number>): number {
  let sum = 0
  let product = 1
  for (let i = 0; i < targets.length; i++) {
    const o = Math.min(1 - 1e-7, Math.max(1e-7, outputs[i]!))
    const y = targets[i]!
    if (y === 1) product *= o
    else if (y === 0) product *= 1 - o
    else sum -= y * Math.log(o) + (1 - y) * Math.log(1 - o)
    if ((i & 15) === 15) {
      sum -= Math.log(product)
      product = 1
    }
  }
  return (sum - Math.log(product)) / targets.length
}

/** Per pattern, the pixels on the wrong side of 0.5 (targets thresholded at 0.5 too). */
export function wrongPixels(
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  size: number
): number[] {
  const wrong: number[] = []
  for (let p = 0; p < targets.length / size; p++) {
    let n = 0
    for (let i = p * size; i < (p + 1) * size; i++)
      if (outputs[i]! >= 0.5 !== targets[i]! >= 0.5) n++
    wrong.push(n)
  }
  return wrong
}
