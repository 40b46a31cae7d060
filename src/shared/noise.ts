import type { NoiseConfig, NoiseKind } from './schemas'
import { mulberry32, type Random } from './random'

// Corruption for denoising autoencoders, on pixel values in [0, 1], from a seeded generator.

/** A standard normal draw (Box-Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random()
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Corrupts `pixels` into `out` (which may be the same array). */
export function corrupt(
  pixels: ArrayLike<number>,
  kind: NoiseKind,
  level: number,
  random: Random,
  out = new Float32Array(pixels.length)
): Float32Array {
  for (let i = 0; i < pixels.length; i++) {
    const x = pixels[i]!
    switch (kind) {
      case 'bitflip':
        // Flip with probability p (1 - x also inverts grey levels).
        out[i] = random() < level ? 1 - x : x
        break
      case 'salt-pepper':
        // A fraction p of pixels set to white or black, half each.
        out[i] = random() < level ? (random() < 0.5 ? 0 : 1) : x
        break
      case 'gaussian':
        out[i] = Math.min(1, Math.max(0, x + level * gaussian(random)))
        break
    }
  }
  return out
}

/**
 * `copies` noisy versions of each of n patterns of `size` pixels, pattern-major (all copies of
 * pattern 0 first). Returns the inputs and the matching clean targets.
 */
export function noisyCopies(
  patterns: Float32Array,
  size: number,
  noise: Pick<NoiseConfig, 'kind' | 'level' | 'copies'>,
  random: Random
): { inputs: Float32Array; targets: Float32Array } {
  const n = patterns.length / size
  const inputs = new Float32Array(n * noise.copies * size)
  const targets = new Float32Array(n * noise.copies * size)
  for (let p = 0; p < n; p++) {
    const clean = patterns.subarray(p * size, (p + 1) * size)
    for (let c = 0; c < noise.copies; c++) {
      const at = (p * noise.copies + c) * size
      targets.set(clean, at)
      corrupt(clean, noise.kind, noise.level, random, inputs.subarray(at, at + size))
    }
  }
  return { inputs, targets }
}

/** The generator for a noise config's draws; `stream` separates training noise from test noise. */
export function noiseRandom(noise: Pick<NoiseConfig, 'seed'>, stream: 'train' | 'fresh'): Random {
  return mulberry32(noise.seed * 2 + (stream === 'train' ? 0 : 1))
}
