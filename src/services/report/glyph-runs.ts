import { hammingDistance } from '../../shared/latent'
import type { ExperimentOf } from '../../shared/experiments'
import type { Glyph, GlyphResult } from '../../shared/schemas'
import type { SessionSummary } from '../../shared/session'
import type { LabPart } from './types'

// A glyph run's glyphs and per-glyph results, for the letters and denoising parts of a report.

export type GlyphExperiment = ExperimentOf<'autoencoder' | 'denoising' | 'linear'>
export type GlyphRun = SessionSummary & { experiment: GlyphExperiment }

export const isGlyphRun = (run: SessionSummary): run is GlyphRun => !('dataset' in run.experiment)

/** The glyphs a run trained on, in the order of its results. */
export function trainingGlyphs(run: GlyphRun, part: LabPart): Glyph[] {
  const e = run.experiment
  const all = e.glyphs ?? part.context.fonts.find((f) => f.name === e.font)?.glyphs ?? []
  return e.subset ? e.subset.map((i) => all[i]).filter((g): g is Glyph => Boolean(g)) : all
}

/** The run's per-glyph results: from its record, or recomputed with its network. */
export async function resultsOf(
  run: GlyphRun,
  glyphs: Glyph[],
  part: LabPart
): Promise<GlyphResult[]> {
  if (run.glyphs?.length) return run.glyphs
  const { points, reconstructions } = await part.context.inference.encode(
    run.id,
    glyphs.map((g) => [...g.pixels])
  )
  return glyphs.map((g, i) => ({
    char: g.char,
    latent: points[i]!,
    reconstruction: reconstructions[i]!,
    wrongPixels: hammingDistance(reconstructions[i]!, g.pixels)
  }))
}
