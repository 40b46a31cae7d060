import type { GlyphResult } from '@shared/schemas'
import type { EChartsOption } from './echarts'

// Chart options as pure functions of the data, so they are easy to test and to reuse.

/** Loss against epoch on a log scale. Long runs are thinned to at most `maxPoints` points. */
export function lossChartOption(
  points: readonly [number, number][],
  maxPoints = 2000
): EChartsOption {
  const step = Math.max(1, Math.ceil(points.length / maxPoints))
  const data =
    step === 1 ? points : points.filter((_, i) => i % step === 0 || i === points.length - 1)
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 24, bottom: 36 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toExponential(3) : String(v))
    },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, min: 0 },
    yAxis: { type: 'log', name: 'loss', logBase: 10 },
    series: [{ type: 'line', name: 'loss', showSymbol: false, data, lineStyle: { width: 1.5 } }]
  }
}

/** The glyphs as labelled points of the latent plane (dimensions `dims`). */
export function latentScatterOption(
  glyphs: readonly GlyphResult[],
  dims: [number, number] = [0, 1]
): EChartsOption {
  const data = glyphs.map((g) => ({
    value: [g.latent[dims[0]] ?? 0, g.latent[dims[1]] ?? 0],
    name: g.char
  }))
  return {
    animation: false,
    grid: { left: 48, right: 24, top: 24, bottom: 40 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { name?: string; value?: number[] }) =>
        `${p.name === ' ' ? 'space' : (p.name ?? '')}  (${(p.value ?? []).map((v) => v.toFixed(2)).join(', ')})`
    },
    xAxis: { type: 'value', name: `z${dims[0] + 1}`, scale: true },
    yAxis: { type: 'value', name: `z${dims[1] + 1}`, scale: true },
    series: [
      {
        type: 'scatter',
        name: 'glyphs',
        symbolSize: 10,
        data,
        label: {
          show: true,
          position: 'top',
          formatter: (p: { name?: string }) => (p.name === ' ' ? '␣' : (p.name ?? '')),
          fontSize: 13,
          fontWeight: 'bold'
        }
      }
    ]
  }
}
