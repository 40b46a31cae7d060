import { sweepChartOption } from '../../shared/charts/options'
import { denoisingStats, firstNoisyCopies, sweepInputs } from '../../shared/denoising'
import { glyphTableSvg } from '../../shared/figures'
import { hammingDistance } from '../../shared/latent'
import type { Glyph } from '../../shared/schemas'
import { chartSvg } from './charts'
import { trainingGlyphs, type GlyphRun } from './glyph-runs'
import { escapeHtml, figure, section } from './html'
import type { LabPart } from './types'

// The denoising lab's figures: original / noisy / denoised triplets on fresh and on training
// noise with their metrics, and the noise sweep of every run (the page's own inputs and charts).

export async function denoisingFigures(
  run: GlyphRun,
  glyphs: Glyph[],
  part: LabPart,
  name: string
): Promise<string> {
  const noise = run.experiment.noise!
  const patterns = glyphs.map((g) => [...g.pixels])
  const chars = glyphs.map((g) => g.char)
  const parts: string[] = []
  for (const stream of ['fresh', 'train'] as const) {
    const noisy = firstNoisyCopies(patterns, noise, stream)
    const { reconstructions: denoised } = await part.context.inference.encode(run.id, noisy)
    const stats = denoisingStats(patterns, noisy, denoised)
    const svg = glyphTableSvg(
      {
        columns: chars,
        rows: [
          { label: 'original', cells: patterns },
          { label: 'noisy', cells: noisy },
          { label: 'denoised', cells: denoised }
        ],
        notes: patterns.map(
          (p, i) => `${hammingDistance(noisy[i]!, p)}→${hammingDistance(denoised[i]!, p)}`
        )
      },
      `${name} denoising triplets`
    )
    const what = stream === 'fresh' ? 'fresh noise' : 'the noise seen in training (its first draw)'
    parts.push(
      figure(
        `triplets-${stream}`,
        `${name}: on ${what}, ${noise.kind} ${noise.level}: wrong pixels ${stats.meanBefore.toFixed(2)} before → ${stats.meanAfter.toFixed(2)} after denoising (worst ${stats.worstAfter}); ${(stats.exactShare * 100).toFixed(0)}% recovered exactly`,
        svg,
        { runId: run.id, wide: true }
      )
    )
  }
  const summary = run.denoising
  if (summary) {
    const row = (label: string, e: typeof summary.trainNoise): string =>
      `<tr><td>${label} (${e.copies} cop${e.copies === 1 ? 'y' : 'ies'} per glyph)</td><td>${e.meanWrongBefore.toFixed(2)}</td><td>${e.meanWrongAfter.toFixed(2)}</td><td>${e.maxWrongAfter.toFixed(2)}</td><td>${(e.exactShare * 100).toFixed(0)}%</td></tr>`
    parts.push(
      `<table class="metrics" data-figure="denoising-metrics" data-run="${escapeHtml(run.id)}"><thead><tr><th>noise</th><th>wrong px before</th><th>after</th><th>worst after</th><th>recovered exactly</th></tr></thead><tbody>${row('training noise', summary.trainNoise)}${row('fresh noise', summary.freshNoise)}</tbody></table>`
    )
    parts.push(
      `<table class="metrics per-glyph" data-figure="denoising-per-glyph" data-run="${escapeHtml(run.id)}"><thead><tr><th>glyph</th>${chars.map((c) => `<th>${escapeHtml(c === ' ' ? '␣' : c)}</th>`).join('')}</tr></thead><tbody>` +
        (
          [
            ['training noise, before', summary.trainNoise.wrongBefore],
            ['training noise, after', summary.trainNoise.wrongAfter],
            ['fresh noise, before', summary.freshNoise.wrongBefore],
            ['fresh noise, after', summary.freshNoise.wrongAfter]
          ] as const
        )
          .map(
            ([label, values]) =>
              `<tr><td>${label}</td>${values.map((v) => `<td>${v.toFixed(1)}</td>`).join('')}</tr>`
          )
          .join('') +
        '</tbody></table>'
    )
  }
  return section('denoising', `<div class="figs">${parts.join('')}</div>`)
}

/** Wrong pixels after denoising against the noise level, every run on one chart. */
export async function noiseSweep(runs: readonly GlyphRun[], part: LabPart): Promise<string> {
  const series = []
  for (const run of runs) {
    const glyphs = trainingGlyphs(run, part)
    const points = []
    for (const { level, clean, noisy } of sweepInputs(
      glyphs.map((g) => [...g.pixels]),
      run.experiment.noise!.kind
    )) {
      const { reconstructions } = await part.context.inference.encode(run.id, noisy)
      points.push({ level, ...denoisingStats(clean, noisy, reconstructions) })
    }
    series.push({
      name: part.names.get(run.id) ?? run.id,
      color: part.colors.get(run.id) ?? '#2f5bd3',
      points
    })
  }
  const svg = chartSvg(sweepChartOption(series), 900, 320)
  return section(
    'noise-sweep',
    figure(
      'noise-sweep',
      'Wrong pixels after denoising against the noise level, on fresh noise of each run’s kind (20 copies per glyph and level): mean (solid), worst (dashed), the noisy input (dotted)',
      svg,
      { wide: true }
    )
  )
}
