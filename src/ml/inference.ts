import * as tf from '@tensorflow/tfjs'
import { decodeTensor, encodeTensor, type AutoencoderModel } from './autoencoder'
import { gaussian } from './noise'
import { mulberry32 } from './random'
import { vaeDecode, vaeEncode, type VaeModel } from './vae'

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

export interface GridSpec {
  /** Points per side. */
  n: number
  /** [min, max] along each of the two shown dimensions. */
  range: [[number, number], [number, number]]
  /** The two latent dimensions that vary; the others stay at `fixed` (default 0). */
  dims?: [number, number]
  fixed?: readonly number[]
  /** 'normal': spaced by the standard normal's quantiles over the range's probability mass (VAE). */
  spacing?: 'even' | 'normal'
}

/** The inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239
  ]
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572
  ]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12)
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q))
    return (
      (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) /
      ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1)
    )
  }
  if (q > 1 - 0.02425) return -normalQuantile(1 - q)
  const r = q - 0.5
  const s = r * r
  return (
    ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * r) /
    (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1)
  )
}

function normalCdf(x: number): number {
  // Abramowitz & Stegun 7.1.26 via erf.
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2)
  return 0.5 * (1 + Math.sign(x) * y)
}

function axis(n: number, [lo, hi]: [number, number], spacing: 'even' | 'normal'): number[] {
  if (n === 1) return [(lo + hi) / 2]
  if (spacing === 'even') return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1))
  const [pLo, pHi] = [normalCdf(lo), normalCdf(hi)]
  // Cell centres in probability, so the ends stay finite.
  return Array.from({ length: n }, (_, i) => normalQuantile(pLo + ((pHi - pLo) * (i + 0.5)) / n))
}

/** The grid's latent points, row by row from the top (largest second coordinate) down. */
export function gridPoints(m: Model, grid: GridSpec): number[][] {
  if (!Number.isInteger(grid.n) || grid.n < 1 || grid.n > 100)
    throw new Error('a grid has 1 to 100 points per side')
  const size = latentSize(m)
  const [dx, dy] = grid.dims ?? [0, 1]
  if (dx >= size || dy >= size || dx === dy)
    throw new Error(`choose two different latent dimensions below ${size}`)
  const xs = axis(grid.n, grid.range[0], grid.spacing ?? 'even')
  const ys = axis(grid.n, grid.range[1], grid.spacing ?? 'even').reverse()
  const points: number[][] = []
  for (const y of ys) {
    for (const x of xs) {
      const p = Array.from({ length: size }, (_, i) => grid.fixed?.[i] ?? 0)
      p[dx] = x
      p[dy] = y
      points.push(p)
    }
  }
  return points
}

/** N x N decoded patterns over a latent range (row-major, top row first). */
export function decodeGrid(m: Model, grid: GridSpec): { points: number[][]; patterns: number[][] } {
  const points = gridPoints(m, grid)
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
