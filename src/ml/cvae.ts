import * as tf from '@tensorflow/tfjs'
import { cvaeSpecs, type CvaeShape, type MlpSpec } from './architecture'
import { activate, type Weights } from './mlp'
import {
  assignFlatValues,
  denseVaeVariables,
  denseVaeWeights,
  flatValues,
  meanAndLogVar,
  vaeLossParts,
  type VaeLoss
} from './vae'

export { cvaeSpecs, type CvaeShape }

// A conditional VAE (Sohn, Lee & Yan, 2015), dense: the VAE of vae.ts with the class one-hot
// y concatenated to the encoder's input (q(z | x, y)) and to the decoder's (p(x | z, y)). The
// loss per sample is the VAE's: BCE summed over pixels + beta * KL(q(z|x,y) || N(0, I)). Trained
// with tfjs's autodiff and a tf.train optimizer (train-cvae.ts).

export interface CvaeModel {
  kind: 'cvae'
  shape: CvaeShape
  encoder: MlpSpec
  decoder: MlpSpec
  /** Encoder kernels and biases, then the decoder's (kernel, bias, ... per layer). */
  variables: tf.Variable[]
  dispose(): void
}

/** A new conditional VAE (PyTorch's nn.Linear default, as the dense VAE), or one of `params`. */
export function createCvae(shape: CvaeShape, seed: number, params?: Float32Array): CvaeModel {
  const { encoder, decoder } = cvaeSpecs(shape)
  const variables = denseVaeVariables(encoder, decoder, seed, params)
  return { kind: 'cvae', shape, encoder, decoder, variables, dispose: () => tf.dispose(variables) }
}

/** All parameters as one flat vector (encoder first). */
export const cvaeParams = (m: CvaeModel): Float32Array => flatValues(m.variables)

export const assignCvaeParams = (m: CvaeModel, values: Float32Array): void =>
  assignFlatValues(m.variables, values)

/**
 * A dense layer x W + b whose gradient takes plain products of explicit transposes: tfjs's own
 * gradient of a product multiplies transposed operands, which the wasm backend computes about
 * 15x slower than plain ones (README, "Environment"), and the conditional VAE trains on
 * tfjs's autodiff.
 */
const dense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
  save([x, w])
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D]
      const d = dy as tf.Tensor2D
      return [tf.matMul(d, tf.transpose(ws)), tf.matMul(tf.transpose(xs), d), tf.sum(d, 0)]
    }
  }
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D

/** The layers of `spec` on x; the last one's activation left out when `logits`. */
function forward(spec: MlpSpec, w: Weights, x: tf.Tensor2D, logits = false): tf.Tensor2D {
  let h = x
  spec.layers.forEach((layer, l) => {
    const z = dense(h, w.kernels[l]!, w.biases[l]!)
    h = logits && l === spec.layers.length - 1 ? z : activate(z, layer.activation)
  })
  return h
}

/**
 * The one-hot rows of class indices, checked against a conditional model's classes: one class
 * per row, or one class for every row.
 */
export function classRows(
  m: { shape: { classes: number } },
  labels: readonly number[],
  rows: number
): Float32Array {
  const { classes } = m.shape
  if (labels.length !== rows && labels.length !== 1)
    throw new Error(`give one class per row (${rows}), or one for all; got ${labels.length}`)
  const out = new Float32Array(rows * classes)
  for (let r = 0; r < rows; r++) {
    const label = labels.length === 1 ? labels[0]! : labels[r]!
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new Error(
        `class ${label} is not one of this conditional VAE's ${classes} classes (0-${classes - 1})`
      )
    out[r * classes + label] = 1
  }
  return out
}

/** Mean and log-variance of q(z | x, y) for pixels x and one-hot rows y. Call inside tf.tidy. */
export function cvaeEncode(
  m: CvaeModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  w = denseVaeWeights(m)
): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  return meanAndLogVar(forward(m.encoder, w.enc, tf.concat2d([x, y], 1)), m.shape.latent)
}

/** Pixel probabilities (or logits) of latent points z for one-hot rows y. Call inside tf.tidy. */
export function cvaeDecode(
  m: CvaeModel,
  z: tf.Tensor2D,
  y: tf.Tensor2D,
  w = denseVaeWeights(m),
  logits = false
): tf.Tensor2D {
  return forward(m.decoder, w.dec, tf.concat2d([z, y], 1), logits)
}

/**
 * Both loss parts (batch means) for pixels x, one-hot rows y and standard-normal draws eps, on
 * `variables` (the model's, or stand-ins for tf.grads). Differentiable; call inside tf.tidy.
 */
export function cvaeLoss(
  m: CvaeModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  eps: tf.Tensor2D,
  variables: readonly tf.Tensor[] = m.variables
): VaeLoss {
  const w = denseVaeWeights(m, variables)
  return vaeLossParts(x, cvaeEncode(m, x, y, w), eps, (z) => cvaeDecode(m, z, y, w, true))
}
