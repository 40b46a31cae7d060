import { gridForPixels, gridScale, type GlyphGrid, type GlyphResult } from '../schemas'
import type { EChartsOption } from './echarts-option'
import { glyphName } from '../glyph-name'

// Chart options as pure functions of the data, so they are easy to test and to reuse.

/** The colours of runs, in the order they joined the session. */
export const RUN_COLORS = [
  '#2f5bd3',
  '#d9534f',
  '#2e9d5b',
  '#a05bd3',
  '#e08a1e',
  '#1fa2b8',
  '#8a6d3b',
  '#d35ba0'
]

export interface LossSeries {
  name: string
  color: string
  points: readonly [number, number][]
}

/** Thins a curve to at most `maxPoints` points, keeping the last one. */
export function thin<T>(points: readonly T[], maxPoints: number): readonly T[] {
  const step = Math.max(1, Math.ceil(points.length / maxPoints))
  return step === 1 ? points : points.filter((_, i) => i % step === 0 || i === points.length - 1)
}

/** An axis label: plain for everyday numbers, an exponent for tiny or huge ones (1e-7, not 0.0000001). */
export function axisNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value)
  const v = Number(value.toPrecision(6))
  const size = Math.abs(v)
  if (size < 1e-3 || size >= 1e4) return v.toExponential().replace('e+', 'e')
  return String(v)
}

/** A chart's words (axis names, series names) in the interface's language; English by default. */
export interface LossChartText {
  epoch: string
  loss: string
}

/** Loss against epoch on a log scale, one line per run. */
export function lossChartOption(
  series: readonly LossSeries[],
  maxPoints = 2000,
  text: LossChartText = { epoch: 'epoch', loss: 'loss' }
): EChartsOption {
  return {
    animation: false,
    grid: { left: 56, right: 16, top: series.length > 1 ? 40 : 24, bottom: 36 },
    legend: series.length > 1 ? { top: 0, type: 'scroll', textStyle: { fontSize: 11 } } : undefined,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toExponential(3) : String(v))
    },
    xAxis: { type: 'value', name: text.epoch, nameLocation: 'middle', nameGap: 24, min: 0 },
    yAxis: { type: 'log', name: text.loss, logBase: 10, axisLabel: { formatter: axisNumber } },
    series: series.map((s) => ({
      type: 'line',
      name: s.name,
      showSymbol: false,
      data: thin(s.points, maxPoints),
      lineStyle: { width: 1.5, color: s.color },
      itemStyle: { color: s.color }
    }))
  }
}

/** A glyph as an SVG data URI (for tooltips: images are allowed by the CSP, inline styles are not). */
export function glyphDataUri(pixels: readonly number[], cell = 6, cols = 5): string {
  const rows = Math.ceil(pixels.length / cols)
  const rects = pixels
    .map((v, i) => {
      const shade = Math.round(255 * (1 - Math.min(1, Math.max(0, v))))
      return `<rect x="${(i % cols) * cell}" y="${Math.floor(i / cols) * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},${shade})"/>`
    })
    .join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cell}" height="${rows * cell}" shape-rendering="crispEdges">${rects}</svg>`
  return `data:image/svg+xml,${encodeURIComponent(svg)}`
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export interface ScatterExtras {
  /** The training glyphs' pixels, aligned with the results: shown when hovering a point. */
  originals?: readonly (readonly number[])[]
  /** The drawn glyph's code, highlighted. */
  drawn?: readonly number[] | null
  /** The probe's point. */
  probe?: readonly number[] | null
  /** The axes' names when the plane is not two latent dimensions (PC1, UMAP 1, ...). */
  axisNames?: [string, string]
  /** The glyphs' grid (7x5 when absent): tooltip images fit a 7x5 glyph's box. */
  grid?: GlyphGrid
  /** The series' names in the interface's language (English by default). */
  text?: { glyphs: string; drawing: string; probe: string }
}

/** The glyphs as labelled points of the latent plane (dimensions `dims`), with the drawing and the probe. */
export function latentScatterOption(
  glyphs: readonly GlyphResult[],
  dims: [number, number] = [0, 1],
  extras: ScatterExtras = {}
): EChartsOption {
  const at = (p: readonly number[]): number[] => [p[dims[0]] ?? 0, p[dims[1]] ?? 0]
  const data = glyphs.map((g) => ({ value: at(g.latent), name: g.char }))
  const label = (p: { name?: string }): string => (p.name === ' ' ? '␣' : (p.name ?? ''))
  const text = extras.text ?? { glyphs: 'glyphs', drawing: 'your drawing', probe: 'probe' }
  const series: object[] = [
    {
      type: 'scatter',
      name: text.glyphs,
      symbolSize: 10,
      data,
      itemStyle: { color: '#6d86d6' },
      // minMargin: ECharts' label box is tighter than the drawn text (its outline, its ascent);
      // without a margin, labels it considers apart still touch on screen.
      label: {
        show: true,
        position: 'top',
        formatter: label,
        fontSize: 13,
        fontWeight: 'bold',
        minMargin: 6
      },
      // Where glyphs crowd, a label that would cover another is hidden rather than drawn over
      // it (the point's tooltip still names it). ECharts' moveOverlap is not used: it shifts
      // labels along one axis only, and hideOverlap then works from their old places.
      labelLayout: { hideOverlap: true }
    }
  ]
  if (extras.drawn) {
    series.push({
      type: 'scatter',
      name: text.drawing,
      symbol: 'diamond',
      symbolSize: 18,
      data: [{ value: at(extras.drawn), name: 'drawing' }],
      itemStyle: { color: '#e08a1e' },
      z: 5
    })
  }
  if (extras.probe) {
    series.push({
      type: 'scatter',
      name: text.probe,
      symbol: 'pin',
      symbolSize: 26,
      data: [{ value: at(extras.probe), name: 'probe' }],
      itemStyle: { color: '#d9534f' },
      z: 6
    })
  }
  const axis = (d: number, r?: [number, number]): object => ({
    type: 'value',
    name: extras.axisNames?.[dims.indexOf(d)] ?? `z${d + 1}`,
    min: r ? Number(r[0].toFixed(2)) : undefined,
    max: r ? Number(r[1].toFixed(2)) : undefined
  })
  return {
    animation: false,
    grid: { left: 48, right: 24, top: 24, bottom: 40 },
    tooltip: {
      trigger: 'item',
      formatter: (p: {
        name?: string
        value?: number[]
        seriesIndex?: number
        dataIndex?: number
      }) => {
        const title = `${escapeHtml(glyphName(p.name ?? ''))} (${(p.value ?? []).map((v) => v.toFixed(2)).join(', ')})`
        const glyph = p.seriesIndex === 0 ? glyphs[p.dataIndex ?? -1] : undefined
        if (!glyph) return title
        const original = extras.originals?.[p.dataIndex ?? -1]
        const images = [original, glyph.reconstruction]
          .filter((x): x is readonly number[] => Boolean(x))
          .map((pixels) => {
            const grid = gridForPixels(pixels.length, extras.grid)
            const scale = gridScale(grid)
            const [w, h] = [grid.cols * 6 * scale, grid.rows * 6 * scale].map(Math.round)
            return `<img src="${glyphDataUri(pixels, 6, grid.cols)}" alt="" width="${w}" height="${h}">`
          })
          .join(' ')
        return `${title}<br>${images}`
      }
    },
    xAxis: axis(dims[0]),
    yAxis: axis(dims[1]),
    series
  }
}

/** Wrong pixels per glyph as bars, red where the stop criterion is missed. */
export function wrongPixelsOption(
  glyphs: readonly GlyphResult[],
  limit: number | null,
  text: { axis: string; series: string } = { axis: 'wrong px', series: 'wrong pixels' }
): EChartsOption {
  return {
    animation: false,
    grid: { left: 40, right: 12, top: 16, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: glyphs.map((g) => (g.char === ' ' ? '␣' : g.char)),
      axisLabel: { interval: 0, fontSize: 10 }
    },
    yAxis: { type: 'value', name: text.axis, minInterval: 1 },
    series: [
      {
        type: 'bar',
        name: text.series,
        data: glyphs.map((g) => ({
          value: g.wrongPixels,
          itemStyle: { color: limit !== null && g.wrongPixels > limit ? '#d9534f' : '#2e9d5b' }
        }))
      }
    ]
  }
}

export interface SweepSeries {
  name: string
  color: string
  points: readonly { level: number; meanBefore: number; meanAfter: number; worstAfter: number }[]
}

/** Wrong pixels after denoising against the noise level: mean (solid) and worst (dashed) per run. */
export interface SweepChartText {
  mean: string
  worst: string
  noisyInput: string
  level: string
  wrongPixels: string
}

export function sweepChartOption(
  series: readonly SweepSeries[],
  text: SweepChartText = {
    mean: 'mean',
    worst: 'worst',
    noisyInput: 'noisy input',
    level: 'noise level',
    wrongPixels: 'wrong pixels'
  }
): EChartsOption {
  const lines: object[] = series.flatMap((s) => [
    {
      type: 'line',
      name: `${s.name} · ${text.mean}`,
      data: s.points.map((p) => [p.level, p.meanAfter]),
      lineStyle: { color: s.color, width: 2 },
      itemStyle: { color: s.color }
    },
    {
      type: 'line',
      name: `${s.name} · ${text.worst}`,
      data: s.points.map((p) => [p.level, p.worstAfter]),
      lineStyle: { color: s.color, type: 'dashed', width: 1 },
      itemStyle: { color: s.color },
      symbol: 'none'
    }
  ])
  const reference = series[0]
  if (reference) {
    lines.push({
      type: 'line',
      name: `${text.noisyInput} · ${text.mean}`,
      data: reference.points.map((p) => [p.level, p.meanBefore]),
      lineStyle: { color: '#999', type: 'dotted' },
      itemStyle: { color: '#999' },
      symbol: 'none'
    })
  }
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 40, bottom: 36 },
    legend: { top: 0, type: 'scroll', textStyle: { fontSize: 11 } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : String(v))
    },
    xAxis: { type: 'value', name: text.level, nameLocation: 'middle', nameGap: 24, min: 0 },
    yAxis: { type: 'value', name: text.wrongPixels, min: 0 },
    series: lines
  }
}

export * from './vae-options'
