import * as tf from '@tensorflow/tfjs'
import {
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
// On tfjs ops it is differentiated by tfjs's autodiff (train-vae.ts); the lab's kernels
// (kernels/vae.ts) compute the same step by hand, checked against tf.grad of vaeLoss in tests.
// The conditional VAE (cvae.ts) builds on its parts: the variables of two dense networks, their
// flat parameters, and the loss (so does the convolutional one, conv-vae.ts).

export interface VaeModel {
  kind: 'vae'
  shape: VaeShape
  encoder: MlpSpec
  decoder: MlpSpec
  /** Encoder kernels and biases, then the decoder's (kernel, bias, ... per layer). */
  variables: tf.Variable[]
  dispose(): void
}

/**
 * A dense encoder's and decoder's variables (kernel, bias, ... per layer, encoder first), from
 * `params` (one flat vector in that order) or, without them, drawn from the seed.
 */
export function denseVaeVariables(
  encoder: MlpSpec,
  decoder: MlpSpec,
  seed: number,
  params?: Float32Array
): tf.Variable[] {
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
  return [...variablesFor(encoder, values, 0), ...variablesFor(decoder, values, encCount)]
}

export function createVae(shape: VaeShape, seed: number, params?: Float32Array): VaeModel {
  const { encoder, decoder } = vaeSpecs(shape)
  const variables = denseVaeVariables(encoder, decoder, seed, params)
  return { kind: 'vae', shape, encoder, decoder, variables, dispose: () => tf.dispose(variables) }
}

/** Variables' values as one flat vector, in their order (a dense VAE's: encoder first). */
export function flatValues(variables: readonly tf.Variable[]): Float32Array {
  const parts = variables.map((v) => v.dataSync())
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Sets variables from one flat vector in flatValues' layout. */
export function assignFlatValues(variables: readonly tf.Variable[], values: Float32Array): void {
  let at = 0
  for (const v of variables) {
    const t = tf.tensor(values.subarray(at, at + v.size), v.shape)
    v.assign(t)
    t.dispose()
    at += v.size
  }
}

/** All parameters as one flat vector (encoder first), e.g. for saving. */
export const vaeParams = (m: VaeModel): Float32Array => flatValues(m.variables)

/** Sets the model's variables from one flat vector in vaeParams' layout. */
export const assignVaeParams = (m: VaeModel, values: Float32Array): void =>
  assignFlatValues(m.variables, values)

/** Encoder and decoder weights from a dense VAE's variables (or stand-ins of the same shapes). */
export function denseVaeWeights(
  m: { encoder: MlpSpec; variables: readonly tf.Tensor[] },
  variables: readonly tf.Tensor[] = m.variables
): { enc: Weights; dec: Weights } {
  const k = m.encoder.layers.length * 2
  return { enc: weightsOf(variables.slice(0, k)), dec: weightsOf(variables.slice(k)) }
}

/** Encoder and decoder weights from the model's variables, or from stand-ins of the same shapes. */
export const vaeWeights = (
  m: VaeModel,
  variables: readonly tf.Tensor[] = m.variables
): { enc: Weights; dec: Weights } => denseVaeWeights(m, variables)

/** The encoder's statistics split into the mean and log-variance of q(z|x). */
export function meanAndLogVar(
  stats: tf.Tensor2D,
  latent: number
): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const n = stats.shape[0]
  return {
    mu: tf.slice(stats, [0, 0], [n, latent]),
    logvar: tf.slice(stats, [0, latent], [n, latent])
  }
}

/** Mean and log-variance of q(z|x). Call inside tf.tidy. */
export function vaeEncode(
  m: VaeModel,
  x: tf.Tensor2D,
  weights = vaeWeights(m)
): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  return meanAndLogVar(forward(m.encoder, weights.enc, x).outputs.at(-1)!, m.shape.latent)
}

/** Pixel probabilities for latent points z. Call inside tf.tidy. */
export function vaeDecode(m: VaeModel, z: tf.Tensor2D, weights = vaeWeights(m)): tf.Tensor2D {
  return forward(m.decoder, weights.dec, z).outputs.at(-1)!
}

/** The two loss parts of a batch, each a batch mean (scalars). */
export interface VaeLoss {
  reconstruction: tf.Scalar
  kl: tf.Scalar
}

/**
 * Every VAE's loss parts for a batch x, from its encoder's q(z|x) statistics and standard-normal
 * draws eps: z = mu + exp(logvar / 2) * eps decoded to logits by `logitsOf`. Call inside tf.tidy.
 */
export function vaeLossParts(
  x: tf.Tensor2D,
  { mu, logvar }: { mu: tf.Tensor2D; logvar: tf.Tensor2D },
  eps: tf.Tensor2D,
  logitsOf: (z: tf.Tensor2D) => tf.Tensor2D
): VaeLoss {
  const std = tf.exp(tf.mul(logvar, 0.5))
  const z = tf.add(mu, tf.mul(std, eps)) as tf.Tensor2D
  const logits = logitsOf(z)
  const n = x.shape[0]
  // Binary cross-entropy from logits, summed over pixels, averaged over the batch.
  const reconstruction = tf.div(
    tf.losses.sigmoidCrossEntropy(x, logits, undefined, 0, tf.Reduction.SUM),
    n
  ) as tf.Scalar
  // KL(N(mu, var) || N(0, 1)) = -1/2 sum(1 + logvar - mu^2 - var), averaged over the batch.
  const kl = tf.mul(
    tf.sum(tf.sub(tf.add(tf.square(mu), tf.square(std)), tf.add(logvar, 1))),
    0.5 / n
  ) as tf.Scalar
  return { reconstruction, kl }
}

/**
 * Both loss parts for one batch x, with the given standard-normal draws `eps` (batch x latent)
 * for the reparameterisation z = mu + exp(logvar / 2) * eps; on `variables` (the model's, or
 * stand-ins of the same shapes, e.g. for tf.grads). Differentiable; call inside tf.tidy.
 */
export function vaeLoss(
  m: VaeModel,
  x: tf.Tensor2D,
  eps: tf.Tensor2D,
  variables: readonly tf.Tensor[] = m.variables
): VaeLoss {
  const weights = vaeWeights(m, variables)
  return vaeLossParts(x, vaeEncode(m, x, weights), eps, (z) =>
    forward(m.decoder, weights.dec, z, true).outputs.at(-1)!
  )
}
