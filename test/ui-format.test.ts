import { describe, expect, it } from 'vitest'
import * as echarts from 'echarts'
import {
  latentScatterOption,
  lossChartOption,
  vaeScatterOption
} from '../src/renderer/src/charts/options'
import { exportLayout } from '../src/shared/charts/export-layout'
import { formatRate } from '../src/renderer/src/lib/rate'
import { noiseWarning } from '../src/renderer/src/lib/noise-warning'
import { CLASS_NAMES } from '../src/shared/schemas'
import type { EChartsOption } from '../src/renderer/src/charts/echarts'

// Pure helpers of the renderer: numbers as the student reads them, and figures as exported.

describe('speeds and axes', () => {
  it('show slow speeds with their decimals (0.55 epochs/s, not "1 epochs/s")', () => {
    expect(formatRate(0.55)).toBe('0.55 epochs/s')
    expect(formatRate(0.05)).toBe('20 s/epoch')
    expect(formatRate(3.456)).toBe('3.5 epochs/s')
    expect(formatRate(370.4)).toBe('370 epochs/s')
    expect(formatRate(1)).toBe('1.0 epochs/s')
    expect(formatRate(0)).toBe('–')
  })

  it('label a log loss axis with exponents, never "0.0000001"', () => {
    const option = lossChartOption([
      { name: 'powell', color: '#000', points: [[1, 1e-7]] }
    ]) as unknown as { yAxis: { axisLabel: { formatter: (v: number) => string } } }
    const label = option.yAxis.axisLabel.formatter
    expect(label(1e-7)).toBe('1e-7')
    expect(label(0.0001)).toBe('1e-4')
    expect(label(0.01)).toBe('0.01')
    expect(label(1)).toBe('1')
    expect(label(100000)).toBe('1e5')
  })
})

describe('noise levels that destroy the input', () => {
  it('warn at bit flip p = 0.5 and salt and pepper at 1, not at ordinary levels', () => {
    expect(noiseWarning('bitflip', 0.5)).toMatch(/no information/)
    expect(noiseWarning('bitflip', 0.48)).toMatch(/almost no information/)
    expect(noiseWarning('bitflip', 0.2)).toBeNull()
    expect(noiseWarning('bitflip', 0.8)).toMatch(/inverted/)
    expect(noiseWarning('salt-pepper', 1)).toMatch(/no information/)
    expect(noiseWarning('salt-pepper', 0.5)).toBeNull()
    expect(noiseWarning('gaussian', 0.5)).toBeNull()
  })
})

/** Renders an option server-side with ECharts' SVG renderer, as an exported SVG is. */
function renderSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  chart.setOption(option)
  const svg = chart.renderToSVGString()
  chart.dispose()
  return svg
}

/** The y of every text element whose content is `text`. */
const textY = (svg: string, text: string): number[] =>
  [
    ...svg.matchAll(
      new RegExp(`<text[^>]*transform="matrix\\([^)]*?,([-\\d.]+)\\)"[^>]*>${text}</text>`, 'g')
    )
  ].map((m) => Number(m[1]))

describe('exported figures', () => {
  const measure = (text: string): number => text.length * 6.5

  it('show every class of the Fashion-MNIST legend, without paging, above the plot', () => {
    const names = CLASS_NAMES['fashion-mnist']
    const points = names.map((_, i) => [i, -i])
    const option = vaeScatterOption(
      points,
      names.map((_, i) => i),
      names
    )
    const live = renderSvg(option, 560, 420)
    // The live chart pages its legend ("1/2" and arrows: what the export must not have).
    expect(live).toMatch(/>\d+\/\d+</)
    const layout = exportLayout(option, 560, 420, measure)
    expect(layout.height).toBeGreaterThan(420)
    const svg = renderSvg(layout.option, 560, layout.height)
    for (const name of names) expect(svg).toContain(`>${name}<`)
    // No pager ("1/2" and its arrows).
    expect(svg).not.toMatch(/>\d+\/\d+</)
    // The legend ends above the axis name z2, which sits at the top of the plot.
    const legendBottom = Math.max(...names.flatMap((n) => textY(svg, n)))
    expect(Math.min(...textY(svg, 'z2'))).toBeGreaterThan(legendBottom + 8)
  })

  it('keep the loss legend of three compared runs clear of the axis title', () => {
    const runs = [1, 2, 3].map((i) => ({
      name: `#${i} Font1 · 25-15-10 · tanh · adam 0.01 · bitflip 0.2 ×10`,
      color: '#000',
      points: [
        [1, 1],
        [2, 0.1]
      ] as [number, number][]
    }))
    const layout = exportLayout(lossChartOption(runs), 520, 320, measure)
    const svg = renderSvg(layout.option, 520, layout.height)
    for (const r of runs) expect(svg).toContain(`>${r.name}<`)
    expect(svg).not.toMatch(/>\d+\/\d+</)
    const legendBottom = Math.max(...runs.flatMap((r) => textY(svg, r.name)))
    expect(Math.min(...textY(svg, 'loss'))).toBeGreaterThan(legendBottom + 8)
  })

  it('leave a chart without a legend as it is', () => {
    const option = latentScatterOption([])
    expect(exportLayout(option, 400, 300, measure)).toEqual({ option, height: 300 })
  })
})
