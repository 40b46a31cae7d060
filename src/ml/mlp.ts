import * as tf from '@tensorflow/tfjs'
import type { Random } from '../shared/random'
import { chain, layout, type Activation, type LayerSpec, type MlpSpec } from './architecture'

export { chain, layout, type Activation, type LayerSpec, type MlpSpec }

// Dense networks with a hand-written backward pass, in two arrangements: the letters' small
// networks on one flat parameter vector (augmented kernels, below), and the VAE's wide layers on
// per-tensor variables (`backwardWide`).
//
// Why not tfjs-layers and autodiff: for the lab's tiny networks the cost is per op, not per
// flop, and a flat parameter vector lets one optimizer update (about a dozen ops) replace one
// per weight tensor. For the wide layers, matMul with transposeA/transposeB takes a slow path on
// the wasm backend (measured ~15x slower than the plain product), so every product is written
// with plain operands. Gradients are checked against tf.grad in the tests.

export interface ParamSlot {
  kernel: [number, number]
  offset: number
}

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

function activate(z: tf.Tensor2D, activation: Activation): tf.Tensor2D {
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

/** Multiplies an upstream gradient by the activation's derivative, written in terms of its output h. */
function activationGrad(
  dy: tf.Tensor2D,
  h: tf.Tensor2D,
  activation: Activation,
  one: tf.Scalar
): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.mul(dy, tf.sub(one, tf.square(h)))
    case 'sigmoid':
      return tf.mul(dy, tf.mul(h, tf.sub(one, h)))
    case 'relu':
      return tf.mul(dy, tf.step(h))
    case 'elu':
      // h > 0: 1; else d/dz (e^z - 1) = e^z = h + 1.
      return tf.mul(dy, tf.where(tf.greater(h, 0), tf.onesLike(h), tf.add(h, one)))
    case 'linear':
      return dy
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

/**
 * Backpropagates `delta`, the loss gradient with respect to the last layer's pre-activation,
 * and returns the parameter gradients (kernel, bias, kernel, bias, ... in layer order) and, if
 * asked, the gradient with respect to the input. Arranged for wide layers (the VAE's 784 x 256):
 * each layer's input gradient is taken as (W @ d^T)^T, with the weights as the left operand. On
 * wasm the right operand of a product is repacked on every call and the weights change every
 * step, so this repacks the batch-sized d^T instead of transposing and repacking the weights;
 * the transposes left are of activations. `inputT`, the input already transposed (the trainer
 * writes it while assembling the batch), saves one more. Bias gradients are column sums taken
 * as products with a ones vector: ~15x faster than tf.sum(d, 0) on a 128 x 784 d on wasm.
 */
export function backwardWide(
  spec: MlpSpec,
  weights: Weights,
  pass: ForwardPass,
  delta: tf.Tensor2D,
  options: { inputGrad?: boolean; inputT?: tf.Tensor2D } = {}
): { grads: tf.Tensor[]; inputGrad: tf.Tensor2D | null } {
  const one = tf.scalar(1)
  const rows = delta.shape[0]
  const ones = tf.ones([1, rows]) as tf.Tensor2D
  const onesColumn = tf.ones([rows, 1]) as tf.Tensor2D
  const grads: tf.Tensor[] = new Array(spec.layers.length * 2)
  // The gradient at the current layer's output, in one orientation or both.
  let d: tf.Tensor2D | null = delta
  let dT: tf.Tensor2D | null = null
  let inputGrad: tf.Tensor2D | null = null
  for (let l = spec.layers.length - 1; l >= 0; l--) {
    const { inputs, outputs } = spec.layers[l]!
    const h = pass.outputs[l]!
    let hT: tf.Tensor2D | null = l === 0 && options.inputT ? options.inputT : null
    const transposedInput = (): tf.Tensor2D => (hT ??= tf.transpose(h) as tf.Tensor2D)
    if (d === null && inputs * (rows + outputs) < 2 * rows * outputs) {
      // A narrow input (a decoder's latent layer): (d^T @ h)^T transposes a small kernel
      // instead of the batch-wide d.
      grads[2 * l] = tf.transpose(tf.matMul(dT!, h))
      grads[2 * l + 1] = tf.reshape(tf.matMul(dT!, onesColumn), [outputs])
    } else {
      d ??= tf.transpose(dT!) as tf.Tensor2D
      grads[2 * l] = tf.matMul(transposedInput(), d)
      grads[2 * l + 1] = tf.reshape(tf.matMul(ones, d), [outputs])
    }
    if (l === 0 && !options.inputGrad) break
    dT ??= tf.transpose(d!) as tf.Tensor2D
    const backT: tf.Tensor2D = tf.matMul(weights.kernels[l]!, dT)
    if (l === 0) inputGrad = tf.transpose(backT) as tf.Tensor2D
    else {
      dT = activationGrad(backT, transposedInput(), spec.layers[l - 1]!.activation, one)
      d = null
    }
  }
  return { grads, inputGrad }
}

// Small networks (the letters) on one flat parameter vector. Their cost is per op, not per flop,
// so they run on augmented kernels: each layer's kernel with its bias appended as one more input
// row, (inputs + 1) x outputs, which is how the flat vector lays them out already. A product with
// an input that carries a column of ones adds the bias, and one product gives a layer's kernel
// and bias gradients together, in the flat vector's layout. An epoch is ~80 ops instead of ~100.

/** Each layer's augmented kernel, viewed from the flat vector (call inside tf.tidy). */
export function unpackAugmented(spec: MlpSpec, theta: tf.Tensor1D): tf.Tensor2D[] {
  const parts = tf.split(
    theta,
    spec.layers.map((l) => (l.inputs + 1) * l.outputs)
  )
  return parts.map((part, l) =>
    tf.reshape(part, [spec.layers[l]!.inputs + 1, spec.layers[l]!.outputs])
  )
}

export interface AugmentedPass {
  /** Each layer's input with a column of ones appended. */
  inputs: tf.Tensor2D[]
  /** Each layer's output (the last one's pre-activation when `logits`). */
  outputs: tf.Tensor2D[]
}

/** Runs the layers on x; with `logits`, the last layer's activation is left to the loss. */
export function forwardAugmented(
  spec: MlpSpec,
  kernels: readonly tf.Tensor2D[],
  x: tf.Tensor2D,
  logits = false
): AugmentedPass {
  const ones = tf.ones([x.shape[0], 1])
  const inputs: tf.Tensor2D[] = []
  const outputs: tf.Tensor2D[] = []
  let h = x
  spec.layers.forEach((layer, l) => {
    inputs.push(tf.concat([h, ones], 1) as tf.Tensor2D)
    const z: tf.Tensor2D = tf.matMul(inputs[l]!, kernels[l]!)
    h = logits && l === spec.layers.length - 1 ? z : activate(z, layer.activation)
    outputs.push(h)
  })
  return { inputs, outputs }
}

/**
 * Backpropagates `delta` (the loss gradient with respect to the last layer's pre-activation) and
 * returns the gradient as one flat vector in the parameters' layout.
 */
export function backwardAugmented(
  spec: MlpSpec,
  kernels: readonly tf.Tensor2D[],
  pass: AugmentedPass,
  delta: tf.Tensor2D
): tf.Tensor1D {
  const one = tf.scalar(1)
  const parts: tf.Tensor1D[] = new Array(spec.layers.length)
  let d = delta
  for (let l = spec.layers.length - 1; l >= 0; l--) {
    parts[l] = tf.reshape(tf.matMul(tf.transpose(pass.inputs[l]!), d), [-1])
    if (l === 0) break
    // The input gradient without the ones column's.
    const back = tf.slice(
      tf.matMul(d, tf.transpose(kernels[l]!)),
      [0, 0],
      [-1, spec.layers[l]!.inputs]
    ) as tf.Tensor2D
    d = activationGrad(back, pass.outputs[l - 1]!, spec.layers[l - 1]!.activation, one)
  }
  return tf.concat(parts) as tf.Tensor1D
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
