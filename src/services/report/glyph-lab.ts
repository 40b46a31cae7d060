import {
  latentScatterOption,
  lossChartOption,
  wrongPixelsOption
} from '../../shared/charts/options'
import { firstNoisyCopies } from '../../shared/denoising'
import { glyphGrid, glyphTableSvg, type GlyphRow } from '../../shared/figures'
import { latentBounds, gridPoints, latentPath, samplePoints } from '../../shared/latent'
import { mulberry32 } from '../../shared/random'
import { chartSvg } from './charts'
import { denoisingFigures, noiseSweep } from './denoising'
import { isGlyphRun, resultsOf, trainingGlyphs, type GlyphRun } from './glyph-runs'
import { escapeHtml, figure, section } from './html'
import type { LabPart } from './types'

// The letters and denoising labs' part of a report: per run its latent plane, reconstructions,
// decode grid, interpolation and new letters (and, denoising, its triplets, metrics and noise
// sweep), then the runs compared glyph by glyph. Results the record lacks are recomputed with
// the run's network.

const thresholdDiff = (out: readonly number[], clean: readonly number[]): number[] =>
  out.map((v, p) => ((v >= 0.5 ? 1 : 0) !== ((clean[p] ?? 0) >= 0.5 ? 1 : 0) ? 1 : 0))

async function runFigures(run: GlyphRun, part: LabPart): Promise<string> {
  const { sections, context, view } = part
  const glyphs = trainingGlyphs(run, part)
  const results = await resultsOf(run, glyphs, part)
  const name = part.names.get(run.id) ?? run.id
  const codes = results.map((r) => r.latent)
  const latent = run.experiment.latent
  const dims: [number, number] = latent > 1 ? [0, 1] : [0, 0]
  const chars = results.map((r) => r.char)
  const limit = run.experiment.maxWrongPixels ?? 1
  const out: string[] = []

  if (sections.has('latent') && latent >= 2) {
    const svg = chartSvg(latentScatterOption(results, dims), 520, 420)
    out.push(
      section(
        'latent',
        figure('latent-plane', `${name}: the glyphs' codes in the latent plane (z1, z2)`, svg, {
          runId: run.id
        })
      )
    )
  }
  if (sections.has('reconstructions')) {
    const worst = Math.max(0, ...results.map((r) => r.wrongPixels))
    const table = glyphTableSvg(
      {
        columns: chars,
        rows: [
          { label: 'original', cells: glyphs.map((g) => g.pixels) },
          { label: 'reconstruction', cells: results.map((r) => r.reconstruction) },
          {
            label: 'difference',
            cells: results.map((r, i) => thresholdDiff(r.reconstruction, glyphs[i]?.pixels ?? [])),
            tone: 'difference'
          }
        ],
        notes: results.map((r) => String(r.wrongPixels))
      },
      `${name} reconstructions`
    )
    const bars = chartSvg(wrongPixelsOption(results, limit), 1000, 200)
    out.push(
      section(
        'reconstructions',
        `<p class="verdict">${worst <= limit ? 'Pass' : 'Fail'}: worst glyph ${worst} wrong pixel${worst === 1 ? '' : 's'} (at most ${limit})</p>` +
          figure(
            'reconstructions',
            `${name}: each glyph, its reconstruction and the wrong pixels (red; count below)`,
            table,
            { runId: run.id, wide: true }
          ) +
          figure('wrong-pixels', `${name}: wrong pixels per glyph`, bars, {
            runId: run.id,
            wide: true
          })
      )
    )
  }
  if (sections.has('decode-grid') && latent >= 2) {
    const n = Math.min(view.letters.gridSize, 16)
    const range = latentBounds(codes, dims)
    const mean = codes[0]!.map((_, d) => codes.reduce((s, c) => s + (c[d] ?? 0), 0) / codes.length)
    const points = gridPoints(latent, { n, range, dims, fixed: mean })
    const patterns = await context.inference.decode(run.id, points)
    const svg = glyphTableSvg({ rows: glyphGrid(patterns, n), pixel: 3 }, `${name} decode grid`)
    out.push(
      section(
        'decode-grid',
        figure(
          'decode-grid',
          `${name}: ${n} × ${n} letters decoded over the latent plane, z1 from ${range[0][0].toFixed(1)} to ${range[0][1].toFixed(1)} (left to right), z2 from ${range[1][1].toFixed(1)} to ${range[1][0].toFixed(1)} (top to bottom)`,
          svg,
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('interpolation') && results.length >= 2) {
    const { from, to, steps } = view.letters.interpolation
    const a = Math.min(from, results.length - 1)
    const b =
      Math.min(to, results.length - 1) === a
        ? (a + 1) % results.length
        : Math.min(to, results.length - 1)
    const patterns = await context.inference.decode(
      run.id,
      latentPath([codes[a]!, codes[b]!], steps)
    )
    const svg = glyphTableSvg(
      { rows: [{ label: '', cells: patterns }], pixel: 5 },
      `${name} interpolation`
    )
    out.push(
      section(
        'interpolation',
        figure(
          'interpolation',
          `${name}: from “${chars[a]}” to “${chars[b]}” in ${steps} steps through the latent space`,
          svg,
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('samples')) {
    const points = samplePoints(12, latent, mulberry32(run.experiment.seed), codes)
    const patterns = await context.inference.decode(run.id, points)
    const svg = glyphTableSvg(
      { rows: [{ label: '', cells: patterns }], pixel: 5 },
      `${name} new letters`
    )
    out.push(
      section(
        'samples',
        figure(
          'samples',
          `${name}: 12 new letters, decoded from codes drawn from a normal fitted to the glyphs' codes`,
          svg,
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('denoising') && run.experiment.noise) {
    out.push(await denoisingFigures(run, glyphs, part, name))
  }
  return out.length
    ? `<div class="run" data-run="${escapeHtml(run.id)}"><h4>${escapeHtml(name)}</h4>${out.join('')}</div>`
    : ''
}

/** The runs' outputs side by side under the original glyphs (denoising: on one shared noisy input). */
async function compare(
  runs: readonly GlyphRun[],
  part: LabPart,
  denoising: boolean
): Promise<string> {
  const first = runs[0]!
  const glyphs = trainingGlyphs(first, part)
  const chars = glyphs.map((g) => g.char)
  const rows: GlyphRow[] = [{ label: 'original', cells: glyphs.map((g) => g.pixels) }]
  const noise = first.experiment.noise
  const noisy =
    denoising && noise
      ? firstNoisyCopies(
          glyphs.map((g) => [...g.pixels]),
          { ...noise, copies: 1 },
          'fresh'
        )
      : null
  if (noisy) rows.push({ label: 'noisy input', cells: noisy })
  for (const run of runs) {
    const name = part.names.get(run.id) ?? run.id
    if (noisy) {
      const { reconstructions } = await part.context.inference.encode(run.id, noisy)
      rows.push({ label: name, cells: reconstructions })
    } else {
      const results = await resultsOf(run, trainingGlyphs(run, part), part)
      rows.push({
        label: name,
        cells: chars.map((c) => results.find((r) => r.char === c)?.reconstruction ?? null)
      })
    }
  }
  const svg = glyphTableSvg({ columns: chars, rows }, 'compared runs')
  const caption = noisy
    ? `Each run denoises the same noisy input (${noise!.kind} ${noise!.level}, one fresh draw)`
    : 'Each run’s reconstructions under the original glyphs'
  return section('compare', figure('compare', caption, svg, { wide: true }))
}

/** The letters or denoising lab's part of the report. */
export async function glyphLab(part: LabPart, denoising: boolean): Promise<string> {
  const runs = part.runs.filter(isGlyphRun)
  if (runs.length === 0) return ''
  const out: string[] = []
  if (part.sections.has('loss')) {
    const series = runs.map((run) => {
      const epochs = run.history['epoch'] ?? []
      const loss = run.history['loss'] ?? []
      const points = epochs
        .map((e, i): [number, number] | null =>
          e !== null && loss[i] != null ? [e, loss[i]!] : null
        )
        .filter((p): p is [number, number] => p !== null)
      return {
        name: part.names.get(run.id) ?? run.id,
        color: part.colors.get(run.id) ?? '#2f5bd3',
        points
      }
    })
    out.push(
      section(
        'loss',
        figure(
          'loss',
          'Loss against epoch (log scale), one line per run',
          chartSvg(lossChartOption(series), 900, 300),
          { wide: true }
        )
      )
    )
  }
  if (part.sections.has('noise-sweep') && denoising) out.push(await noiseSweep(runs, part))
  if (part.sections.has('compare') && runs.length > 1)
    out.push(await compare(runs, part, denoising))
  for (const run of runs) out.push(await runFigures(run, part))
  return out.join('')
}
