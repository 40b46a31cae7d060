import type { EChartsOption } from './echarts-option'

// The VAE lab's chart options, pure functions of the data like the others (options.ts).

export interface VaeCurveSeries {
  /** A short name for the legend ('#2'); empty for a single run. */
  name: string
  color: string
  curve: readonly { epoch: number; reconstruction: number; kl: number }[]
}

/** The curves' axis and series names (English unless the caller passes its language's). */
export interface VaeCurveWords {
  epoch: string
  reconstruction: string
  kl: string
}
export const VAE_CURVE_WORDS: VaeCurveWords = {
  epoch: 'epoch',
  reconstruction: 'reconstruction',
  kl: 'KL'
}

/**
 * The VAE's two loss parts per epoch: reconstruction (left axis, solid) and KL (right axis,
 * dashed), for one run or overlaid for the compared runs.
 */
export function vaeCurvesOption(
  runs: readonly VaeCurveSeries[],
  words: VaeCurveWords = VAE_CURVE_WORDS
): EChartsOption {
  const single = runs.length <= 1
  const named = (run: VaeCurveSeries, part: string): string =>
    single ? part : `${run.name} ${part}`
  const series = runs.flatMap((run) => [
    {
      type: 'line',
      name: named(run, words.reconstruction),
      data: run.curve.map((c) => [c.epoch, c.reconstruction]),
      itemStyle: { color: single ? '#2f5bd3' : run.color },
      lineStyle: { color: single ? '#2f5bd3' : run.color }
    },
    {
      type: 'line',
      name: named(run, words.kl),
      yAxisIndex: 1,
      data: run.curve.map((c) => [c.epoch, c.kl]),
      itemStyle: { color: single ? '#e08a1e' : run.color },
      lineStyle: { color: single ? '#e08a1e' : run.color, type: single ? 'solid' : 'dashed' }
    }
  ])
  return {
    animation: false,
    grid: { left: 56, right: 56, top: 36, bottom: 36 },
    legend: {
      top: 0,
      type: 'scroll',
      textStyle: { fontSize: 11 },
      data: series.map((s) => s.name)
    },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : String(v))
    },
    xAxis: {
      type: 'value',
      name: words.epoch,
      nameLocation: 'middle',
      nameGap: 24,
      min: 0,
      minInterval: 1
    },
    yAxis: [
      { type: 'value', name: words.reconstruction, scale: true },
      { type: 'value', name: words.kl, scale: true, splitLine: { show: false } }
    ],
    series
  }
}

export const CLASS_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#6b6b6b'
]

export interface VaeScatterExtras {
  probe?: readonly number[] | null
  waypoints?: readonly (readonly number[])[]
  drawn?: readonly number[] | null
}

/**
 * The marks drawn over the test set (the interpolation path, the pad's drawing, the probe), as
 * series with ids that are always there (empty when unused), so that moving the probe merges
 * three small series into the chart instead of redrawing the option of 10,000 points.
 */
export function vaeScatterOverlays(extras: VaeScatterExtras = {}): object[] {
  const xy = (p: readonly number[]): number[] => [p[0] ?? 0, p[1] ?? 0]
  return [
    {
      id: 'path',
      type: 'line',
      name: 'path',
      data: (extras.waypoints ?? []).map(xy),
      symbol: 'circle',
      symbolSize: 9,
      lineStyle: { color: '#111', width: 2 },
      itemStyle: { color: '#111' },
      z: 5
    },
    {
      id: 'drawn',
      type: 'scatter',
      name: 'your drawing',
      symbol: 'diamond',
      symbolSize: 16,
      data: extras.drawn ? [xy(extras.drawn)] : [],
      itemStyle: { color: '#111' },
      z: 6
    },
    {
      id: 'probe',
      type: 'scatter',
      name: 'probe',
      symbol: 'pin',
      symbolSize: 26,
      data: extras.probe ? [xy(extras.probe)] : [],
      itemStyle: { color: '#d9534f' },
      z: 7
    }
  ]
}

/**
 * The test set in the latent plane, one series per class (so the legend names the classes).
 * ECharts' large mode draws each class as one path: 10,000 points stay cheap to redraw.
 */
export function vaeScatterOption(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  classNames: readonly string[],
  extras: VaeScatterExtras = {}
): EChartsOption {
  const byClass = classNames.map(() => [] as number[][])
  points.forEach((p, i) => byClass[labels[i] ?? 0]?.push([p[0] ?? 0, p[1] ?? 0, i]))
  const series: object[] = byClass.map((data, c) => ({
    id: `class-${c}`,
    type: 'scatter',
    name: classNames[c],
    data,
    symbolSize: 3,
    itemStyle: { color: CLASS_COLORS[c], opacity: 0.75 },
    emphasis: { scale: 3 },
    large: true,
    largeThreshold: 500,
    progressive: 0
  }))
  series.push(...vaeScatterOverlays(extras))
  return {
    animation: false,
    grid: { left: 44, right: 16, top: 48, bottom: 32 },
    legend: { top: 0, type: 'scroll', textStyle: { fontSize: 11 }, data: [...classNames] },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: 'z1', scale: true },
    yAxis: { type: 'value', name: 'z2', scale: true },
    series
  }
}
