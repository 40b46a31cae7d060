import { hammingDistance } from './latent'

// Measures of denoising quality, computed the same way for the triplets, the metrics table and
// the noise sweep. Pure functions of patterns (values in [0, 1]).

export interface DenoisingStats {
  /** Mean wrong pixels of the noisy inputs and of the denoised outputs, against the clean pattern. */
  meanBefore: number
  meanAfter: number
  /** The worst denoised output's wrong pixels. */
  worstAfter: number
  /** Share of outputs with no wrong pixel. */
  exactShare: number
}

export function denoisingStats(
  clean: readonly (readonly number[])[],
  noisy: readonly (readonly number[])[],
  denoised: readonly (readonly number[])[]
): DenoisingStats {
  if (clean.length === 0 || clean.length !== noisy.length || clean.length !== denoised.length) {
    throw new Error('denoising stats need as many clean, noisy and denoised patterns')
  }
  const before = clean.map((c, i) => hammingDistance(noisy[i]!, c))
  const after = clean.map((c, i) => hammingDistance(denoised[i]!, c))
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
  return {
    meanBefore: mean(before),
    meanAfter: mean(after),
    worstAfter: Math.max(...after),
    exactShare: after.filter((w) => w === 0).length / after.length
  }
}

/** Noise levels from 0 to `max` in steps of `step` (rounded to avoid 0.30000000000000004). */
export function sweepLevels(max = 0.5, step = 0.05): number[] {
  const count = Math.floor(max / step + 1e-9)
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(6)))
}
