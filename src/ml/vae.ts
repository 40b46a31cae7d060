import * as tf from '@tensorflow/tfjs'
import {
  backwardWide,
  forward,
  linearDefaultParams,
  layout,
  variablesFor,
  weightsOf,
  type MlpSpec,
  type Weights
} from './mlp'
import { mulberry32 } from '../shared/random'
import { vaeSpecs, type VaeShape } from './architecture'

export { vaeSpecs, type VaeShape }

// A dense variational autoencoder (Kingma & Welling, 2014): the encoder maps x to the mean and
// log-variance of q(z|x); z = mu + exp(logvar / 2) * eps; the decoder maps z to pixel logits.
// Loss per sample = binary cross-entropy summed over pixels + beta * KL(q(z|x) || N(0, I)).
// Backpropagation is written out (see mlp.ts for why), and checked against tf.grad in tests.

export interface VaeModel {
  kind: 'vae'
  shape: VaeShape
  encoder: MlpSpec
  decoder: MlpSpec
  /** Encoder kernels and biases, then the decoder's (kernel, bias, ... per layer). */
  variables: tf.Variable[]
  dispose(): void
}

export function createVae(shape: VaeShape, seed: number, params?: Float32Array): VaeModel {
  const { encoder, decoder } = vaeSpecs(shape)
  const encCount = layout(encoder).count
  const count = encCount + layout(decoder).count
  if (params && params.length !== count)
    throw new Error(`expected ${count} parameters, got ${params.length}`)
  let values = params
  if (!values) {
    values = new Float32Array(count)
    const random = mulberry32(seed)
    // PyTorch's default for nn.Linear, not the letters' Glorot-uniform: after 5 epochs of
    // MNIST (784-256-2, Adam 1e-3, batch 128) Glorot left the test negative ELBO at 162.6
    // against 159.9 with this (seed 1; PyTorch itself 160.7), the decoder's first layer (2
    // inputs) starting 4.6x narrower and every bias at zero.
    linearDefaultParams(encoder, random, values, 0)
    linearDefaultParams(decoder, random, values, encCount)
  }
  const variables = [
    ...variablesFor(encoder, values, 0),
    ...variablesFor(decoder, values, encCount)
  ]
  return { kind: 'vae', shape, encoder, decoder, variables, dispose: () => tf.dispose(variables) }
}

/** All parameters as one flat vector (encoder first), e.g. for saving. */
export function vaeParams(m: VaeModel): Float32Array {
  const parts = m.variables.map((v) => v.dataSync())
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Sets the model's variables from one flat vector in vaeParams' layout. */
export function assignVaeParams(m: VaeModel, values: Float32Array): void {
  let at = 0
  for (const v of m.variables) {
    const t = tf.tensor(values.subarray(at, at + v.size), v.shape)
    v.assign(t)
    t.dispose()
    at += v.size
  }
}

/** Encoder and decoder weights from the model's variables, or from stand-ins of the same shapes. */
export function vaeWeights(
  m: VaeModel,
  variables: readonly tf.Tensor[] = m.variables
): { enc: Weights; dec: Weights } {
  const k = m.encoder.layers.length * 2
  return { enc: weightsOf(variables.slice(0, k)), dec: weightsOf(variables.slice(k)) }
}

/** Mean and log-variance of q(z|x). Call inside tf.tidy. */
export function vaeEncode(
  m: VaeModel,
  x: tf.Tensor2D,
  weights = vaeWeights(m)
): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const stats = forward(m.encoder, weights.enc, x).outputs.at(-1)!
  const n = x.shape[0]
  const l = m.shape.latent
  return { mu: tf.slice(stats, [0, 0], [n, l]), logvar: tf.slice(stats, [0, l], [n, l]) }
}

/** Pixel probabilities for latent points z. Call inside tf.tidy. */
export function vaeDecode(m: VaeModel, z: tf.Tensor2D, weights = vaeWeights(m)): tf.Tensor2D {
  return forward(m.decoder, weights.dec, z).outputs.at(-1)!
}

export interface VaeStep {
  /** One gradient per variable, in the model's order. */
  grads: tf.Tensor[]
  /** Batch means of the two loss parts (scalars). */
  reconstruction: tf.Scalar
  kl: tf.Scalar
}

/**
 * Loss parts and their gradients for one batch, with the given standard-normal draws `eps`
 * (batch x latent). `xT`, the batch transposed, may be passed to save a transpose. Call inside
 * tf.tidy.
 */
export function vaeGradient(
  m: VaeModel,
  variables: readonly tf.Tensor[],
  x: tf.Tensor2D,
  eps: tf.Tensor2D,
  beta: number,
  xT?: tf.Tensor2D
): VaeStep {
  const weights = vaeWeights(m, variables)
  const n = x.shape[0]
  const l = m.shape.latent
  const encPass = forward(m.encoder, weights.enc, x)
  const stats = encPass.outputs.at(-1)!
  const mu = tf.slice(stats, [0, 0], [n, l])
  const logvar = tf.slice(stats, [0, l], [n, l])
  const std = tf.exp(tf.mul(logvar, 0.5))
  const z = tf.add(mu, tf.mul(std, eps)) as tf.Tensor2D
  const decPass = forward(m.decoder, weights.dec, z, true)
  const logits = decPass.outputs.at(-1)!
  const probs = tf.sigmoid(logits)
  const invN = tf.scalar(1 / n)
  // Reconstruction: BCE from logits, softplus(l) - l * x, summed over pixels, averaged over the
  // batch. softplus(l) = relu(l) - log(max(p, 1 - p)) with p = sigmoid(l), and
  // max(p, 1 - p) = 0.5 + |p - 0.5| lies in [0.5, 1], so the log is well conditioned. Written
  // this way because the wasm backend's Softplus, Exp, Maximum and Log are scalar loops: the
  // logs are taken of products of 8 pixels' terms (each product >= 2^-8, exact to a few ulps),
  // an eighth as many. On a 128 x 784 batch: ~0.2 ms, against ~2 ms for tf.softplus and
  // ~0.6 ms for one log per pixel (measured here).
  const half = tf.scalar(0.5)
  const q = tf.add(tf.abs(tf.sub(probs, half)), half)
  const group = [8, 4, 2].find((g) => q.size % g === 0) ?? 1
  const softplusSum = tf.sub(
    tf.sum(tf.relu(logits)),
    tf.sum(tf.log(group > 1 ? tf.prod(tf.reshape(q, [-1, group]), 1) : q))
  )
  const reconstruction = tf.mul(tf.sub(softplusSum, tf.sum(tf.mul(logits, x))), invN) as tf.Scalar
  const variance = tf.square(std)
  // KL(N(mu, var) || N(0, 1)) = -1/2 sum(1 + logvar - mu^2 - var), averaged over the batch.
  const kl = tf.mul(
    tf.sum(tf.sub(tf.add(tf.square(mu), variance), tf.add(logvar, 1))),
    tf.scalar(0.5 / n)
  ) as tf.Scalar
  // Backward: d(recon)/d(logits) = (p - x) / n.
  const dLogits = tf.mul(tf.sub(probs, x), invN) as tf.Tensor2D
  const dec = backwardWide(m.decoder, weights.dec, decPass, dLogits, { inputGrad: true })
  const dz = dec.inputGrad!
  const betaN = tf.scalar(beta / n)
  const dMu = tf.add(dz, tf.mul(mu, betaN))
  // dz/dlogvar = eps * std / 2; d(KL)/dlogvar = (var - 1) / 2.
  const dLogvar = tf.add(
    tf.mul(tf.mul(dz, eps), tf.mul(std, 0.5)),
    tf.mul(tf.sub(variance, 1), tf.mul(betaN, 0.5))
  )
  const dStats = tf.concat([dMu, dLogvar], 1) as tf.Tensor2D
  const enc = backwardWide(m.encoder, weights.enc, encPass, dStats, { inputT: xT })
  return { grads: [...enc.grads, ...dec.grads], reconstruction, kl }
}
