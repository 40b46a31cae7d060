import { hammingDistance } from './latent'
import { noiseRandom, noisyCopies } from './noise'
import { mulberry32 } from './random'
import type { NoiseConfig, NoiseKind } from './schemas'

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

/** Noisy copies of each glyph per level of a noise sweep (the page's sweep and the report's). */
export const SWEEP_COPIES = 20

/**
 * One noisy copy per pattern: the first draw of a run's training noise (`train`), or a fresh
 * draw (`fresh`), as the triplets show them.
 */
export function firstNoisyCopies(
  patterns: readonly (readonly number[])[],
  noise: NoiseConfig,
  stream: 'train' | 'fresh'
): number[][] {
  const size = patterns[0]?.length ?? 0
  const { inputs } = noisyCopies(
    Float32Array.from(patterns.flat()),
    size,
    noise,
    noiseRandom(noise, stream)
  )
  return patterns.map((_, g) =>
    Array.from(inputs.subarray(g * noise.copies * size, (g * noise.copies + 1) * size))
  )
}

/** The inputs of a noise sweep: SWEEP_COPIES fresh noisy copies of each pattern per level. */
export function sweepInputs(
  patterns: readonly (readonly number[])[],
  kind: NoiseKind,
  levels: readonly number[] = sweepLevels()
): { level: number; clean: number[][]; noisy: number[][] }[] {
  const size = patterns[0]?.length ?? 0
  const flat = Float32Array.from(patterns.flat())
  const clean = patterns.flatMap((p) => Array.from({ length: SWEEP_COPIES }, () => [...p]))
  return levels.map((level, i) => {
    const { inputs } = noisyCopies(
      flat,
      size,
      { kind, level, copies: SWEEP_COPIES },
      mulberry32(1000 + i)
    )
    const noisy = Array.from({ length: inputs.length / size }, (_, k) =>
      Array.from(inputs.subarray(k * size, (k + 1) * size))
    )
    return { level, clean, noisy }
  })
}
