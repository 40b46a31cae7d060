// Pure latent-space helpers shared by the engine and the renderer: decode grids, interpolation
// paths, samples, nearest glyphs. No tensors here.

import { gaussian } from './noise'

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
export function gridPoints(size: number, grid: GridSpec): number[][] {
  if (!Number.isInteger(grid.n) || grid.n < 1 || grid.n > 100)
    throw new Error('a grid has 1 to 100 points per side')
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

/** Evenly spaced points from a to b, both included. */
export function interpolationPath(
  a: readonly number[],
  b: readonly number[],
  steps: number
): number[][] {
  if (!Number.isInteger(steps) || steps < 2)
    throw new Error('an interpolation needs at least 2 steps')
  return Array.from({ length: steps }, (_, i) =>
    a.map((v, k) => v + ((b[k] ?? 0) - v) * (i / (steps - 1)))
  )
}

/** Pixels that differ after thresholding both patterns at 0.5. */
export function hammingDistance(a: readonly number[], b: readonly number[]): number {
  let n = 0
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) >= 0.5 !== (b[i] ?? 0) >= 0.5) n++
  return n
}

/** The training pattern closest to `pattern` (fewest differing pixels; first on ties). */
export function nearestPattern(
  pattern: readonly number[],
  candidates: readonly (readonly number[])[]
): { index: number; distance: number } {
  let best = { index: -1, distance: Infinity }
  candidates.forEach((candidate, index) => {
    const distance = hammingDistance(pattern, candidate)
    if (distance < best.distance) best = { index, distance }
  })
  return best
}

/** The bounding box of points along two dimensions, padded by `pad` of its size on each side. */
export function latentBounds(
  points: readonly (readonly number[])[],
  dims: [number, number] = [0, 1],
  pad = 0.1
): [[number, number], [number, number]] {
  const span = (d: number): [number, number] => {
    const values = points.map((p) => p[d] ?? 0)
    const lo = Math.min(...values)
    const hi = Math.max(...values)
    const margin = (hi - lo || 1) * pad
    return [lo - margin, hi + margin]
  }
  return [span(dims[0]), span(dims[1])]
}

/**
 * A path through latent points with `steps` points per segment, each waypoint once (the end of
 * one segment is the start of the next).
 */
export function latentPath(waypoints: readonly (readonly number[])[], steps: number): number[][] {
  if (waypoints.length < 2) throw new Error('an interpolation needs at least two points')
  if (!Number.isInteger(steps) || steps < 2 || steps > 200)
    throw new Error('steps per segment must be 2 to 200')
  const points: number[][] = []
  for (let s = 0; s + 1 < waypoints.length; s++) {
    const segment = interpolationPath(waypoints[s]!, waypoints[s + 1]!, steps)
    points.push(...(s === 0 ? segment : segment.slice(1)))
  }
  return points
}

/**
 * `count` latent points drawn from N(mean, std^2) per dimension, seeded: from a VAE's prior
 * N(0, I) without `codes`, else from a normal fitted to `codes` (a plain autoencoder's codes of
 * its training data; it has no prior of its own).
 */
export function samplePoints(
  count: number,
  size: number,
  random: () => number,
  codes?: readonly (readonly number[])[]
): number[][] {
  let mean = new Array<number>(size).fill(0)
  let std = new Array<number>(size).fill(1)
  if (codes) {
    if (codes.length === 0) throw new Error('fitting a normal needs at least one latent code')
    mean = mean.map((_, i) => codes.reduce((s, c) => s + (c[i] ?? 0), 0) / codes.length)
    std = std.map(
      (_, i) =>
        Math.sqrt(codes.reduce((s, c) => s + ((c[i] ?? 0) - mean[i]!) ** 2, 0) / codes.length) || 1
    )
  }
  return Array.from({ length: count }, () => mean.map((mu, i) => mu + std[i]! * gaussian(random)))
}
