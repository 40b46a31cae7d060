import type { EChartsOption } from './echarts-option'
import type { SmallMultiple } from '../sweep-results'

// A small multiple of a sweep: one metric's mean over the seeds against one parameter's values
// (in the grid's order), with mean ± spread dashed; a pure function of the data like the others.

export function smallMultipleOption(
  panel: SmallMultiple,
  metric: string,
  parameter: string
): EChartsOption {
  const xs = panel.points.map((p) => p.x)
  const at = (f: (mean: number, spread: number) => number) =>
    panel.points.map((p) => (p.stat ? f(p.stat.mean, p.stat.spread) : null))
  const band = {
    type: 'line',
    symbol: 'none',
    lineStyle: { type: 'dashed', width: 1, color: '#8fa4e0' }
  }
  return {
    animation: false,
    title: panel.title
      ? {
          text: panel.title,
          left: 'center',
          top: 0,
          textStyle: { fontSize: 11, fontWeight: 'normal' }
        }
      : undefined,
    grid: { left: 48, right: 12, top: panel.title ? 28 : 14, bottom: 36 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: xs, name: parameter, nameLocation: 'middle', nameGap: 22 },
    yAxis: { type: 'value', name: metric, scale: true },
    series: [
      { ...band, name: 'mean + spread', data: at((m, s) => m + s) },
      { ...band, name: 'mean − spread', data: at((m, s) => m - s) },
      {
        type: 'line',
        name: 'mean',
        data: at((m) => m),
        symbolSize: 6,
        lineStyle: { color: '#2f5bd3', width: 2 },
        itemStyle: { color: '#2f5bd3' }
      }
    ]
  }
}

// The app's small multiples in one chart: a panel per combination of the other parameters,
// each the mean against one parameter's values with a band of mean ± spread over the seeds.

const COLUMNS = 3
const PANEL_HEIGHT = 170

/** The chart's height for this many panels, in pixels. */
export const multiplesHeight = (panels: number): number =>
  Math.ceil(Math.max(1, panels) / COLUMNS) * PANEL_HEIGHT + 16

export function sweepMultiplesOption(
  panels: readonly SmallMultiple[],
  metric: string,
  parameter: string
): EChartsOption {
  const columns = Math.min(COLUMNS, Math.max(1, panels.length))
  const width = 100 / columns
  const grid = panels.map((_, i) => ({
    left: `${(i % columns) * width + 5}%`,
    width: `${width - 8}%`,
    top: Math.floor(i / columns) * PANEL_HEIGHT + 46,
    height: PANEL_HEIGHT - 90
  }))
  const finite = (v: number | undefined): number | null =>
    v === undefined || !Number.isFinite(v) ? null : v
  return {
    animation: false,
    // A panel's title names the other parameters' values (a single panel needs none).
    title: panels.map((p, i) => ({
      text: p.title,
      left: `${(i % columns) * width + 5}%`,
      top: Math.floor(i / columns) * PANEL_HEIGHT + 2,
      textStyle: { fontSize: 11, fontWeight: 'normal' }
    })),
    tooltip: { trigger: 'axis' },
    grid,
    xAxis: panels.map((p, i) => ({
      type: 'category',
      gridIndex: i,
      data: p.points.map((q) => q.x),
      name: parameter,
      nameLocation: 'middle',
      nameGap: 22,
      axisLabel: { fontSize: 10 }
    })),
    yAxis: panels.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      name: i % columns === 0 ? metric : '',
      nameTextStyle: { fontSize: 10, align: 'left' },
      axisLabel: { fontSize: 10 },
      scale: false
    })),
    series: panels.flatMap((p, i) => [
      {
        name: 'mean - spread',
        type: 'line',
        xAxisIndex: i,
        yAxisIndex: i,
        stack: `band-${i}`,
        symbol: 'none',
        lineStyle: { opacity: 0 },
        data: p.points.map((q) => (q.stat ? finite(q.stat.mean - q.stat.spread) : null)),
        tooltip: { show: false }
      },
      {
        name: '± spread over seeds',
        type: 'line',
        xAxisIndex: i,
        yAxisIndex: i,
        stack: `band-${i}`,
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(47, 91, 211, 0.18)' },
        data: p.points.map((q) => (q.stat ? finite(2 * q.stat.spread) : null)),
        tooltip: { show: false }
      },
      {
        name: 'mean',
        type: 'line',
        xAxisIndex: i,
        yAxisIndex: i,
        color: '#2f5bd3',
        symbolSize: 7,
        data: p.points.map((q) => finite(q.stat?.mean))
      }
    ])
  }
}
