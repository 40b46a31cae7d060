import * as tf from '@tensorflow/tfjs'
import { decodeTensor, encodeTensor, type AutoencoderModel } from './autoencoder'
import { mulberry32 } from '../shared/random'
import { vaeDecode, vaeEncode, type VaeModel } from './vae'
import { classRows, cvaeDecode, cvaeEncode, type CvaeModel } from './cvae'
import { gridPoints as latentGrid, latentPath, samplePoints, type GridSpec } from '../shared/latent'

export { normalQuantile, type GridSpec } from '../shared/latent'

// Inference on a trained model, plain arrays in and out: encode, decode (points or a grid),
// generate, interpolate, denoise. Nothing here keeps tensors alive.

export type Model = AutoencoderModel | VaeModel | CvaeModel

const latentSize = (m: Model): number => (m.kind === 'autoencoder' ? m.latent : m.shape.latent)
const inputSize = (m: Model): number =>
  m.kind === 'autoencoder' ? m.spec.layers[0]!.inputs : m.shape.inputSize

/**
 * The one-hot rows of a conditional model's classes (one per row, or one for all); a model
 * without classes refuses them.
 */
function conditions(m: Model, labels: readonly number[] | undefined, rows: number) {
  if (m.kind !== 'cvae') {
    if (labels !== undefined) throw new Error('this model is not conditional: it takes no class')
    return null
  }
  if (labels === undefined)
    throw new Error('a conditional VAE encodes and decodes for a class: give one ("labels")')
  return tf.tensor2d(classRows(m, labels, rows), [rows, m.shape.classes])
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
  check(patterns, inputSize(m), 'a pattern')
  return run(() => {
    const x = tf.tensor2d(patterns as number[][])
    const y = conditions(m, labels, patterns.length)
    if (m.kind === 'cvae') return cvaeEncode(m, x, y!).mu
    return m.kind === 'vae' ? vaeEncode(m, x).mu : encodeTensor(m, x)
  })
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
  check(points, latentSize(m), 'a latent point')
  return run(() => {
    const z = tf.tensor2d(points as number[][])
    const y = conditions(m, labels, points.length)
    if (m.kind === 'cvae') return cvaeDecode(m, z, y!)
    return m.kind === 'vae' ? vaeDecode(m, z) : decodeTensor(m, z)
  })
}

/** N x N decoded patterns over a latent range (row-major, top row first). */
export function decodeGrid(m: Model, grid: GridSpec): { points: number[][]; patterns: number[][] } {
  const points = latentGrid(latentSize(m), grid)
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
  if (m.kind === 'autoencoder' && (!codes || codes.length === 0))
    throw new Error(
      'generating from a plain autoencoder needs the latent codes of its training data'
    )
  const points = samplePoints(
    count,
    latentSize(m),
    mulberry32(seed),
    m.kind === 'autoencoder' ? codes : undefined
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
  check(waypoints, latentSize(m), 'a latent point')
  return { points, patterns: decode(m, points) }
}

/** The network's reconstruction of (possibly noisy) patterns: for a denoising autoencoder, its denoised version. */
export function denoise(m: Model, patterns: readonly (readonly number[])[]): number[][] {
  return decode(m, encode(m, patterns))
}
