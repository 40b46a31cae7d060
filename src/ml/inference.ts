import * as tf from '@tensorflow/tfjs'
import { decodeTensor, encodeTensor, type AutoencoderModel } from './autoencoder'
import { gaussian } from '../shared/noise'
import { mulberry32 } from '../shared/random'
import { vaeDecode, vaeEncode, type VaeModel } from './vae'
import { gridPoints as latentGrid, type GridSpec } from '../shared/latent'

export { normalQuantile, type GridSpec } from '../shared/latent'

// Inference on a trained model, plain arrays in and out: encode, decode (points or a grid),
// generate, interpolate, denoise. Nothing here keeps tensors alive.

export type Model = AutoencoderModel | VaeModel

const latentSize = (m: Model): number => (m.kind === 'vae' ? m.shape.latent : m.latent)
const inputSize = (m: Model): number =>
  m.kind === 'vae' ? m.shape.inputSize : m.spec.layers[0]!.inputs

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

/** Latent codes (for a VAE, the means of q(z|x)) of patterns with values in [0, 1]. */
export function encode(m: Model, patterns: readonly (readonly number[])[]): number[][] {
  if (patterns.length === 0) return []
  check(patterns, inputSize(m), 'a pattern')
  return run(() => {
    const x = tf.tensor2d(patterns as number[][])
    return m.kind === 'vae' ? vaeEncode(m, x).mu : encodeTensor(m, x)
  })
}

/** Decoded patterns (probabilities in [0, 1]) for latent points. */
export function decode(m: Model, points: readonly (readonly number[])[]): number[][] {
  if (points.length === 0) return []
  check(points, latentSize(m), 'a latent point')
  return run(() => {
    const z = tf.tensor2d(points as number[][])
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
  const size = latentSize(m)
  const random = mulberry32(seed)
  let mean = new Array<number>(size).fill(0)
  let std = new Array<number>(size).fill(1)
  if (m.kind !== 'vae') {
    if (!codes || codes.length === 0)
      throw new Error(
        'generating from a plain autoencoder needs the latent codes of its training data'
      )
    mean = mean.map((_, i) => codes.reduce((s, c) => s + c[i]!, 0) / codes.length)
    std = std.map(
      (_, i) =>
        Math.sqrt(codes.reduce((s, c) => s + (c[i]! - mean[i]!) ** 2, 0) / codes.length) || 1
    )
  }
  const points = Array.from({ length: count }, () =>
    mean.map((mu, i) => mu + std[i]! * gaussian(random))
  )
  return { points, patterns: decode(m, points) }
}

/** A path through latent points with `steps` points per segment (ends included once). */
export function interpolate(
  m: Model,
  waypoints: readonly (readonly number[])[],
  steps: number
): { points: number[][]; patterns: number[][] } {
  if (waypoints.length < 2) throw new Error('an interpolation needs at least two points')
  if (!Number.isInteger(steps) || steps < 2 || steps > 200)
    throw new Error('steps per segment must be 2 to 200')
  check(waypoints, latentSize(m), 'a latent point')
  const points: number[][] = []
  for (let s = 0; s + 1 < waypoints.length; s++) {
    const [a, b] = [waypoints[s]!, waypoints[s + 1]!]
    for (let i = s === 0 ? 0 : 1; i < steps; i++) {
      const t = i / (steps - 1)
      points.push(a.map((v, k) => v + t * (b[k]! - v)))
    }
  }
  return { points, patterns: decode(m, points) }
}

/** The network's reconstruction of (possibly noisy) patterns: for a denoising autoencoder, its denoised version. */
export function denoise(m: Model, patterns: readonly (readonly number[])[]): number[][] {
  return decode(m, encode(m, patterns))
}
