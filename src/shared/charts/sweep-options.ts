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
