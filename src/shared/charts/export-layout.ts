import type { EChartsOption } from './echarts-option'

// Exported figures show the whole legend: the live charts page a long legend (it must not push
// the plot out of a fixed box), but a figure in a report has no paging arrows to click. The
// export lays the legend out in full, wrapped over as many rows as it needs above the plot,
// and makes the figure taller by that much.

interface LegendLike {
  type?: string
  data?: readonly (string | { name?: string })[]
  textStyle?: { fontSize?: number }
  [key: string]: unknown
}

interface GridLike {
  top?: number | string
  [key: string]: unknown
}

/** Legend geometry (ECharts' defaults): a 25 px icon, 5 px to the text, 10 px between items. */
const ICON = 25
const ICON_GAP = 5
const ITEM_GAP = 10
const PADDING = 5
const TOP = 8
/** Room for a y axis name above the plot (it sits at the axis's top end). */
const AXIS_NAME = 30

const seriesNames = (option: EChartsOption): string[] => {
  const series = option['series']
  return Array.isArray(series)
    ? series
        .map((s: { name?: unknown }) => (typeof s.name === 'string' ? s.name : ''))
        .filter(Boolean)
    : []
}

/**
 * The option of the exported figure, and its height: the legend plain (no paging), wrapped to
 * the figure's width above the plot; the plot moved down below it. `measure` gives a text's
 * width in pixels at the legend's font size.
 */
export function exportLayout(
  option: EChartsOption,
  width: number,
  height: number,
  measure: (text: string, fontSize: number) => number
): { option: EChartsOption; height: number } {
  const legend = option['legend'] as LegendLike | undefined
  if (!legend) return { option, height }
  const names = legend.data
    ? legend.data.map((d) => (typeof d === 'string' ? d : (d.name ?? '')))
    : seriesNames(option)
  const fontSize = legend.textStyle?.fontSize ?? 12
  const available = width - 2 * (PADDING + ITEM_GAP)
  // Lay the items out as ECharts does, line by line (text widths get a 10% margin: better a
  // little white space than a legend running into the plot).
  let rows = 1
  let x = 0
  for (const name of names) {
    const item = ICON + ICON_GAP + measure(name, fontSize) * 1.1
    if (x > 0 && x + item > available) {
      rows += 1
      x = 0
    }
    x += item + ITEM_GAP
  }
  const lineHeight = Math.max(14, Math.ceil(fontSize * 1.4))
  const legendHeight = rows * lineHeight + (rows - 1) * ITEM_GAP + 2 * PADDING
  const grid = (option['grid'] as GridLike | undefined) ?? {}
  const oldTop = typeof grid.top === 'number' ? grid.top : 60
  const top = TOP + legendHeight + AXIS_NAME
  const extra = Math.max(0, top - oldTop)
  return {
    option: {
      ...option,
      animation: false,
      legend: {
        ...legend,
        type: 'plain',
        top: TOP,
        left: 'center',
        width: available,
        itemGap: ITEM_GAP,
        padding: PADDING
      },
      grid: { ...grid, top: Math.max(top, oldTop) }
    },
    height: height + extra
  }
}

/** Text widths estimated from the font size, where no page measures them (the report service). */
export const estimatedMeasure = (text: string, fontSize: number): number =>
  text.length * fontSize * 0.62
