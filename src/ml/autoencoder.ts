import * as tf from '@tensorflow/tfjs'
import type { Activation } from '../shared/schemas'
import { mulberry32, type Random } from './random'

// A dense autoencoder as plain variables and a forward function: input -> hidden... -> latent
// -> mirrored hidden... -> sigmoid output. Written against tfjs-core ops (not tfjs-layers) so
// that the training loop controls every op it runs.

export interface AutoencoderOptions {
  inputSize: number
  hidden: readonly number[]
  latent: number
  activation: Activation
  seed: number
}

export interface DenseLayer {
  kernel: tf.Variable<tf.Rank.R2>
  bias: tf.Variable<tf.Rank.R1>
  activation: Activation | 'sigmoid-output'
}

export interface Autoencoder {
  options: AutoencoderOptions
  encoder: DenseLayer[]
  decoder: DenseLayer[]
  variables: tf.Variable[]
  dispose(): void
}

/** Glorot-uniform weights drawn from a seeded generator, so runs are reproducible. */
function glorotUniform(rows: number, cols: number, random: Random): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols))
  const values = new Float32Array(rows * cols)
  for (let i = 0; i < values.length; i++) values[i] = (random() * 2 - 1) * limit
  return values
}

let nextModelId = 0

function dense(
  inputs: number,
  outputs: number,
  activation: DenseLayer['activation'],
  random: Random,
  name: string
): DenseLayer {
  // tf.variable copies its initial value; tidy frees the initial tensors.
  return tf.tidy(() => ({
    kernel: tf.variable(
      tf.tensor2d(glorotUniform(inputs, outputs, random), [inputs, outputs]),
      true,
      `${name}/kernel`
    ),
    bias: tf.variable(tf.tensor1d(new Float32Array(outputs)), true, `${name}/bias`),
    activation
  }))
}

export function createAutoencoder(options: AutoencoderOptions): Autoencoder {
  const random = mulberry32(options.seed)
  const id = nextModelId++
  const sizes = [options.inputSize, ...options.hidden, options.latent]
  const encoder: DenseLayer[] = []
  for (let i = 0; i + 1 < sizes.length; i++) {
    const isLatent = i + 2 === sizes.length
    encoder.push(
      dense(
        sizes[i]!,
        sizes[i + 1]!,
        isLatent ? 'linear' : options.activation,
        random,
        `ae${id}/enc${i}`
      )
    )
  }
  const back = [...sizes].reverse()
  const decoder: DenseLayer[] = []
  for (let i = 0; i + 1 < back.length; i++) {
    const isOutput = i + 2 === back.length
    decoder.push(
      dense(
        back[i]!,
        back[i + 1]!,
        isOutput ? 'sigmoid-output' : options.activation,
        random,
        `ae${id}/dec${i}`
      )
    )
  }
  const variables = [...encoder, ...decoder].flatMap(
    (layer) => [layer.kernel, layer.bias] as tf.Variable[]
  )
  return {
    options,
    encoder,
    decoder,
    variables,
    dispose: () => variables.forEach((v) => v.dispose())
  }
}

function activate(x: tf.Tensor2D, activation: DenseLayer['activation']): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.tanh(x)
    case 'relu':
      return tf.relu(x)
    case 'elu':
      return tf.elu(x)
    case 'sigmoid':
    case 'sigmoid-output':
      return tf.sigmoid(x)
    case 'linear':
      return x
  }
}

/** Applies layers in order; the output layer returns logits (the sigmoid is applied by callers). */
export function applyLayers(
  x: tf.Tensor2D,
  layers: readonly DenseLayer[],
  logits = false
): tf.Tensor2D {
  let h = x
  layers.forEach((layer, i) => {
    const z = tf.add(tf.matMul(h, layer.kernel), layer.bias) as tf.Tensor2D
    h = logits && i === layers.length - 1 ? z : activate(z, layer.activation)
  })
  return h
}

export const encode = (model: Autoencoder, x: tf.Tensor2D): tf.Tensor2D =>
  applyLayers(x, model.encoder)
export const decode = (model: Autoencoder, z: tf.Tensor2D): tf.Tensor2D =>
  applyLayers(z, model.decoder)

/**
 * Mean binary cross-entropy between targets and sigmoid(logits), in the numerically stable form
 * max(l, 0) - l * y + log(1 + exp(-|l|)).
 */
export function binaryCrossEntropyFromLogits(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.relu(logits)
    const cross = tf.mul(logits, targets)
    const soft = tf.log1p(tf.exp(tf.neg(tf.abs(logits))))
    return tf.mean(tf.add(tf.sub(positive, cross), soft))
  })
}
