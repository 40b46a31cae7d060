import * as tf from '@tensorflow/tfjs'
import type { Random } from '../shared/random'
import { chain, layout, type Activation, type LayerSpec, type MlpSpec } from './architecture'

export { chain, layout, type Activation, type LayerSpec, type MlpSpec }

// Dense networks on tfjs ops: seeded initial weights, views of a flat parameter vector as
// kernels and biases, and the forward pass. Training differentiates it with tfjs's autodiff
// (full-batch.ts, train-vae.ts) except on the lab's WebAssembly kernels (kernels/), whose
// hand-derived gradients the tests check against tf.grad.

/** Glorot-uniform kernels and zero biases, drawn from a seeded generator. */
export function initialParams(
  spec: MlpSpec,
  random: Random,
  out?: Float32Array,
  offset = 0
): Float32Array {
  const params = out ?? new Float32Array(layout(spec).count)
  let at = offset
  for (const { inputs, outputs } of spec.layers) {
    const limit = Math.sqrt(6 / (inputs + outputs))
    for (let i = 0; i < inputs * outputs; i++) params[at++] = (random() * 2 - 1) * limit
    at += outputs
  }
  return params
}

/**
 * PyTorch's default for a dense layer (nn.Linear: kaiming_uniform with a = sqrt(5)): kernels
 * and biases uniform in +-1/sqrt(inputs), drawn from a seeded generator.
 */
export function linearDefaultParams(
  spec: MlpSpec,
  random: Random,
  out?: Float32Array,
  offset = 0
): Float32Array {
  const params = out ?? new Float32Array(layout(spec).count)
  let at = offset
  for (const { inputs, outputs } of spec.layers) {
    const limit = 1 / Math.sqrt(inputs)
    for (let i = 0; i < (inputs + 1) * outputs; i++) params[at++] = (random() * 2 - 1) * limit
  }
  return params
}

export interface Weights {
  kernels: tf.Tensor2D[]
  biases: tf.Tensor1D[]
}

/** Views of the flat vector as kernels and biases (call inside tf.tidy). */
export function unpack(spec: MlpSpec, theta: tf.Tensor1D): Weights {
  const { sizes, shapes } = layout(spec)
  const parts = tf.split(theta, sizes)
  const kernels: tf.Tensor2D[] = []
  const biases: tf.Tensor1D[] = []
  spec.layers.forEach((_, l) => {
    kernels.push(tf.reshape(parts[2 * l]!, shapes[2 * l] as [number, number]))
    biases.push(parts[2 * l + 1] as tf.Tensor1D)
  })
  return { kernels, biases }
}

/** A layer's activation on its pre-activations z. */
export function activate(z: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.tanh(z)
    case 'relu':
      return tf.relu(z)
    case 'elu':
      return tf.elu(z)
    case 'sigmoid':
      return tf.sigmoid(z)
    case 'linear':
      return z
  }
}

export interface ForwardPass {
  /** The input, then each layer's output; the last layer's entry is its pre-activation when `logits`. */
  outputs: tf.Tensor2D[]
}

/**
 * Runs the layers on x. With `logits`, the last layer's activation is not applied (the loss
 * applies it, e.g. sigmoid inside a cross-entropy).
 */
export function forward(
  spec: MlpSpec,
  weights: Weights,
  x: tf.Tensor2D,
  logits = false
): ForwardPass {
  const outputs = [x]
  spec.layers.forEach((layer, l) => {
    const raw = logits && l === spec.layers.length - 1
    // ReLU rides along in the product (a clamp inside XNNPACK's kernel on wasm).
    const fused = !raw && layer.activation === 'relu'
    const z = tf.fused.matMul({
      a: outputs[l]!,
      b: weights.kernels[l]!,
      bias: weights.biases[l],
      activation: fused ? 'relu' : 'linear'
    }) as tf.Tensor2D
    outputs.push(raw || fused ? z : activate(z, layer.activation))
  })
  return { outputs }
}

/** Kernels and biases as separate variables (no per-step split: large layers would be copied). */
export function variablesFor(spec: MlpSpec, values: Float32Array, offset = 0): tf.Variable[] {
  const { sizes, shapes } = layout(spec)
  const variables: tf.Variable[] = []
  let at = offset
  sizes.forEach((size, i) => {
    variables.push(
      tf.tidy(() => tf.variable(tf.tensor(values.subarray(at, at + size), shapes[i]!)))
    )
    at += size
  })
  return variables
}

/** Weights viewed from per-tensor variables (kernel, bias, ... in layer order). */
export function weightsOf(variables: readonly tf.Tensor[]): Weights {
  const kernels: tf.Tensor2D[] = []
  const biases: tf.Tensor1D[] = []
  for (let i = 0; i < variables.length; i += 2) {
    kernels.push(variables[i] as tf.Tensor2D)
    biases.push(variables[i + 1] as tf.Tensor1D)
  }
  return { kernels, biases }
}
