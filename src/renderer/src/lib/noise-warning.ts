import type { NoiseKind } from '@shared/schemas'
import { i18n } from '../i18n'

/**
 * Says when a noise level leaves the input with (almost) nothing of the glyph in it, so that
 * nobody reads a denoiser's failure there as a flaw of the network. Null at ordinary levels.
 * In the interface's language (called from a computed, it follows a switch of language).
 */
export function noiseWarning(kind: NoiseKind, level: number): string | null {
  const t = i18n.global.t
  const p = level.toFixed(2)
  if (kind === 'bitflip') {
    // Each pixel is kept with probability 1 - p: at p = 0.5 it is a coin toss either way.
    if (Math.abs(level - 0.5) < 0.005) return t('denoising.warning.coinToss')
    if (Math.abs(level - 0.5) <= 0.05) return t('denoising.warning.almostNoInformation', { p })
    if (level > 0.55) return t('denoising.warning.inverted', { p })
    return null
  }
  if (kind === 'salt-pepper') {
    // A fraction p of the pixels is replaced by random black or white.
    if (level >= 0.995) return t('denoising.warning.allReplaced')
    if (level >= 0.9) return t('denoising.warning.almostAllReplaced', { p })
  }
  return null
}
