import type { RunMetrics } from '../shared/latent-analysis'

// What a run's latent codes say, in plain numbers (no TensorFlow.js): k-nearest-neighbour class
// accuracy, reconstruction error per class, active latent units (Burda et al., 2016: a unit is
// active when its code varies across the data by more than 0.01) and a VAE's negative ELBO in
// its two parts. latent-analysis.ts puts them together for a trained model; a report can call
// these directly on codes it has.

/** Burda et al.'s threshold on a unit's variance (of the encoder mean) across the data. */
export const ACTIVE_UNIT_THRESHOLD = 0.01
/** Neighbours that vote in the kNN accuracy. */
export const KNN_K = 5

const squaredDistance = (a: readonly number[], b: readonly number[]): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2
  return s
}

/**
 * Leave-one-out k-nearest-neighbour accuracy: each code's class guessed by the majority of its
 * k nearest other codes (Euclidean; a tie goes to the class of the nearest among the tied).
 */
export function knnAccuracy(
  codes: readonly (readonly number[])[],
  labels: readonly number[],
  k = KNN_K
): number {
  if (codes.length !== labels.length) throw new Error('kNN needs one label per code')
  if (codes.length < 2) throw new Error('kNN needs at least two codes')
  const neighbours = Math.min(k, codes.length - 1)
  let right = 0
  for (let i = 0; i < codes.length; i++) {
    // The k nearest so far, nearest first (insertion: k is small).
    const nearest: number[] = []
    const near: number[] = []
    for (let j = 0; j < codes.length; j++) {
      if (j === i) continue
      const d = squaredDistance(codes[i]!, codes[j]!)
      if (nearest.length === neighbours && d >= near[neighbours - 1]!) continue
      let at = nearest.length === neighbours ? neighbours - 1 : nearest.length
      while (at > 0 && near[at - 1]! > d) {
        near[at] = near[at - 1]!
        nearest[at] = nearest[at - 1]!
        at--
      }
      near[at] = d
      nearest[at] = j
    }
    const votes = new Map<number, number>()
    for (const j of nearest) votes.set(labels[j]!, (votes.get(labels[j]!) ?? 0) + 1)
    const most = Math.max(...votes.values())
    // `nearest` is sorted: the first neighbour of a most-voted class breaks the tie.
    const guess = labels[nearest.find((j) => votes.get(labels[j]!) === most)!]!
    if (guess === labels[i]) right++
  }
  return right / codes.length
}

/** The mean of each class's errors (one error per item), classes in ascending order. */
export function perClassError(
  errors: readonly number[],
  labels: readonly number[]
): NonNullable<RunMetrics['perClass']> {
  if (errors.length !== labels.length) throw new Error('per-class error needs one label per item')
  const sums = new Map<number, { count: number; sum: number }>()
  errors.forEach((e, i) => {
    const s = sums.get(labels[i]!) ?? { count: 0, sum: 0 }
    s.count++
    s.sum += e
    sums.set(labels[i]!, s)
  })
  return [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([label, { count, sum }]) => ({ label, count, error: sum / count }))
}

/** Each unit's variance across the codes (divided by n), and how many exceed `threshold`. */
export function activeUnits(
  codes: readonly (readonly number[])[],
  threshold = ACTIVE_UNIT_THRESHOLD
): RunMetrics['activeUnits'] {
  const n = codes.length
  const size = codes[0]?.length ?? 0
  const variances = Array.from({ length: size }, (_, u) => {
    if (n === 0) return 0
    const mean = codes.reduce((s, c) => s + c[u]!, 0) / n
    return codes.reduce((s, c) => s + (c[u]! - mean) ** 2, 0) / n
  })
  return { threshold, count: variances.filter((v) => v > threshold).length, variances }
}

/** A VAE's negative ELBO per image from its two parts (the KL at weight 1, whatever the beta trained with). */
export function elboParts(reconstruction: number, kl: number): NonNullable<RunMetrics['elbo']> {
  return { reconstruction, kl, negativeElbo: reconstruction + kl }
}

/** Mean squared error per pixel of each row of `outputs` against `targets` (rows of `size`). */
export function rowSquaredErrors(
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  size: number
): number[] {
  const n = targets.length / size
  return Array.from({ length: n }, (_, r) => {
    let s = 0
    for (let i = 0; i < size; i++) s += (outputs[r * size + i]! - targets[r * size + i]!) ** 2
    return s / size
  })
}
