import { i18n } from '../i18n'

/**
 * A training speed for status lines: slow runs keep their decimals ("0.55 epochs/s", not a
 * rounded "1 epochs/s"), and very slow ones read as seconds per epoch. In the interface's
 * language.
 */
export function formatRate(epochsPerSecond: number): string {
  const r = epochsPerSecond
  const t = i18n.global.t
  if (!Number.isFinite(r) || r <= 0) return '–'
  if (r < 0.1) return t('shared.rate.secondsPerEpoch', { n: Math.round(1 / r) })
  const n = r < 1 ? r.toFixed(2) : r < 10 ? r.toFixed(1) : String(Math.round(r))
  return t('shared.rate.epochsPerSecond', { n })
}
