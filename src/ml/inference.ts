import * as tf from '@tensorflow/tfjs'
import { decodeTensor, encodeTensor, type AutoencoderModel } from './autoencoder'
import { mulberry32 } from '../shared/random'
import { vaeDecode, vaeEncode, type VaeModel } from './vae'
import { classRows, cvaeDecode, cvaeEncode, type CvaeModel } from './cvae'
import { convVaeDecode, convVaeEncode, type ConvVaeModel } from './conv-vae'
import { gridPoints as latentGrid, latentPath, samplePoints, type GridSpec } from '../shared/latent'

export { normalQuantile, type GridSpec } from '../shared/latent'

// Inference on a trained model, plain arrays in and out: encode, decode (points or a grid),
// generate, interpolate, denoise. Nothing here keeps tensors alive.

export type Model = AutoencoderModel | VaeModel | CvaeModel | ConvVaeModel

/** What inference needs of a model, bound to it. */
interface Latent {
  latentSize: number
  inputSize: number
  /** A conditional model's one-hot rows of classes (one per row, or one for all); else null. */
  condition: ((labels: readonly number[], rows: number) => tf.Tensor2D) | null
  /** Latent codes of a batch (for a VAE, the means of q(z|x)); `y` a conditional model's classes. */
  encode(x: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D
  /** Decoded patterns (probabilities) of a batch of latent points. */
  decode(z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D
  /** Samples come from the model's prior N(0, I) (a VAE), else from a normal fitted to codes. */
  hasPrior: boolean
}

/** A conditional model's classes, which `condition` always gives it. */
const given = (y: tf.Tensor2D | null): tf.Tensor2D => {
  if (!y) throw new Error('a conditional model needs its classes')
  return y
}

/**
 * Each model type's inference, by its tag: a new model type adds its line here (a missing one
 * is a type error), and encode, decode, generate and interpolate work for it unchanged.
 */
const latentOf: { [K in Model['kind']]: (m: Extract<Model, { kind: K }>) => Latent } = {
  autoencoder: (m) => ({
    latentSize: m.latent,
    inputSize: m.spec.layers[0]!.inputs,
    condition: null,
    encode: (x) => encodeTensor(m, x),
    decode: (z) => decodeTensor(m, z),
    hasPrior: false
  }),
  vae: (m) => ({
    latentSize: m.shape.latent,
    inputSize: m.shape.inputSize,
    condition: null,
    encode: (x) => vaeEncode(m, x).mu,
    decode: (z) => vaeDecode(m, z),
    hasPrior: true
  }),
  'conv-vae': (m) => ({
    latentSize: m.shape.latent,
    inputSize: m.shape.inputSize,
    condition:
      m.shape.classes > 0
        ? (labels, rows) => tf.tensor2d(classRows(m, labels, rows), [rows, m.shape.classes])
        : null,
    encode: (x, y) => convVaeEncode(m, x, y).mu,
    decode: (z, y) => convVaeDecode(m, z, y),
    hasPrior: true
  }),
  cvae: (m) => ({
    latentSize: m.shape.latent,
    inputSize: m.shape.inputSize,
    condition: (labels, rows) => tf.tensor2d(classRows(m, labels, rows), [rows, m.shape.classes]),
    encode: (x, y) => cvaeEncode(m, x, given(y)).mu,
    decode: (z, y) => cvaeDecode(m, z, given(y)),
    hasPrior: true
  })
}
// The compiler cannot pair a model with its own entry through the union; the table's type does.
const latent = (m: Model): Latent => (latentOf[m.kind] as (m: Model) => Latent)(m)

/**
 * The one-hot rows of a conditional model's classes (one per row, or one for all); a model
 * without classes refuses them.
 */
function conditions(
  model: Latent,
  labels: readonly number[] | undefined,
  rows: number
): tf.Tensor2D | null {
  if (!model.condition) {
    if (labels !== undefined) throw new Error('this model is not conditional: it takes no class')
    return null
  }
  if (labels === undefined)
    throw new Error('a conditional VAE encodes and decodes for a class: give one ("labels")')
  return model.condition(labels, rows)
}

function run<T extends tf.Tensor>(fn: () => T): number[][] {
  let out: number[][] = []
  tf.tidy(() => {
    out = fn().arraySync() as number[][]
  })
  return out
}

function check(rows: readonly (readonly number[])[], size: number, what: string): void {
  for (const row of rows) {
    if (row.length !== size) throw new Error(`${what} must have ${size} values, got ${row.length}`)
    if (!row.every(Number.isFinite)) throw new Error(`${what} must be finite numbers`)
  }
}

/**
 * Latent codes (for a VAE, the means of q(z|x)) of patterns with values in [0, 1]; a
 * conditional VAE's for the classes `labels` (one per pattern, or one for all).
 */
export function encode(
  m: Model,
  patterns: readonly (readonly number[])[],
  labels?: readonly number[]
): number[][] {
  if (patterns.length === 0) return []
  const model = latent(m)
  check(patterns, model.inputSize, 'a pattern')
  return run(() =>
    model.encode(tf.tensor2d(patterns as number[][]), conditions(model, labels, patterns.length))
  )
}

/**
 * Decoded patterns (probabilities in [0, 1]) for latent points; a conditional VAE's for the
 * classes `labels` (one per point, or one for all).
 */
export function decode(
  m: Model,
  points: readonly (readonly number[])[],
  labels?: readonly number[]
): number[][] {
  if (points.length === 0) return []
  const model = latent(m)
  check(points, model.latentSize, 'a latent point')
  return run(() =>
    model.decode(tf.tensor2d(points as number[][]), conditions(model, labels, points.length))
  )
}

/** N x N decoded patterns over a latent range (row-major, top row first). */
export function decodeGrid(m: Model, grid: GridSpec): { points: number[][]; patterns: number[][] } {
  const points = latentGrid(latent(m).latentSize, grid)
  return { points, patterns: decode(m, points) }
}

/**
 * New samples: for a VAE, latent points drawn from the prior N(0, I); for a plain autoencoder,
 * from a normal fitted to the given codes of its training data (it has no prior of its own).
 */
export function generate(
  m: Model,
  count: number,
  seed: number,
  codes?: readonly (readonly number[])[]
): { points: number[][]; patterns: number[][] } {
  const model = latent(m)
  if (!model.hasPrior && (!codes || codes.length === 0))
    throw new Error(
      'generating from a plain autoencoder needs the latent codes of its training data'
    )
  const points = samplePoints(
    count,
    model.latentSize,
    mulberry32(seed),
    model.hasPrior ? undefined : codes
  )
  return { points, patterns: decode(m, points) }
}

/** A path through latent points with `steps` points per segment (ends included once). */
export function interpolate(
  m: Model,
  waypoints: readonly (readonly number[])[],
  steps: number
): { points: number[][]; patterns: number[][] } {
  // The path's own checks (two waypoints, 2 to 200 steps) come first, as they always did.
  const points = latentPath(waypoints, steps)
  check(waypoints, latent(m).latentSize, 'a latent point')
  return { points, patterns: decode(m, points) }
}

/** The network's reconstruction of (possibly noisy) patterns: for a denoising autoencoder, its denoised version. */
export function denoise(m: Model, patterns: readonly (readonly number[])[]): number[][] {
  return decode(m, encode(m, patterns))
}
