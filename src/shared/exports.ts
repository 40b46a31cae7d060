import { toCsv } from './csv'
import type { DenoisingSummary } from './schemas'

// The data behind the figures, as CSV: what the page's export buttons save, in one place so the
// columns are the same wherever they are written.

/** Denoising metrics per glyph: mean wrong pixels before and after, on training and fresh noise. */
export function denoisingPerGlyphCsv(chars: readonly string[], summary: DenoisingSummary): string {
  const t = summary.trainNoise
  const f = summary.freshNoise
  return toCsv(
    ['glyph', 'train_before', 'train_after', 'fresh_before', 'fresh_after'],
    chars.map((c, i) => [
      c,
      t.wrongBefore[i] ?? '',
      t.wrongAfter[i] ?? '',
      f.wrongBefore[i] ?? '',
      f.wrongAfter[i] ?? ''
    ])
  )
}

export interface LevelPoint {
  level: number
  meanBefore: number
  meanAfter: number
  worstAfter: number
  /** Share recovered exactly (not every sweep keeps it). */
  exactShare?: number
}

/** Denoising metrics per noise level (a noise sweep), one row per run and level. */
export function denoisingPerLevelCsv(
  runs: readonly { run: string; points: readonly LevelPoint[] }[]
): string {
  return toCsv(
    ['run', 'level', 'mean_wrong_before', 'mean_wrong_after', 'worst_after', 'exact_share'],
    runs.flatMap((r) =>
      r.points.map((p) => [
        r.run,
        p.level,
        p.meanBefore,
        p.meanAfter,
        p.worstAfter,
        p.exactShare ?? ''
      ])
    )
  )
}

/** Latent codes with their labels (a VAE's test set): one row per image. */
export function latentCodesCsv(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  classNames: readonly string[]
): string {
  const size = Math.max(0, ...points.map((p) => p.length))
  return toCsv(
    ['index', 'label', 'class', ...Array.from({ length: size }, (_, i) => `z${i + 1}`)],
    points.map((p, i) => [i, labels[i] ?? '', classNames[labels[i] ?? -1] ?? '', ...p])
  )
}
