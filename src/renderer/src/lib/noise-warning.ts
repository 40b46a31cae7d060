import type { NoiseKind } from '@shared/schemas'

/**
 * Says when a noise level leaves the input with (almost) nothing of the glyph in it, so that
 * nobody reads a denoiser's failure there as a flaw of the network. Null at ordinary levels.
 */
export function noiseWarning(kind: NoiseKind, level: number): string | null {
  if (kind === 'bitflip') {
    // Each pixel is kept with probability 1 - p: at p = 0.5 it is a coin toss either way.
    if (Math.abs(level - 0.5) < 0.005)
      return 'At p = 0.5 every pixel is a coin toss: the noisy input carries no information about the glyph, so nothing can be denoised.'
    if (Math.abs(level - 0.5) <= 0.05)
      return `At p = ${level.toFixed(2)} the noisy input carries almost no information about the glyph: expect the denoiser to guess.`
    if (level > 0.55)
      return `At p = ${level.toFixed(2)} most pixels flip: the input is mostly the inverted glyph.`
    return null
  }
  if (kind === 'salt-pepper') {
    // A fraction p of the pixels is replaced by random black or white.
    if (level >= 0.995)
      return 'At p = 1 every pixel is replaced by random black or white: the noisy input carries no information about the glyph.'
    if (level >= 0.9)
      return `At p = ${level.toFixed(2)} almost every pixel is replaced: the noisy input carries almost no information about the glyph.`
  }
  return null
}
