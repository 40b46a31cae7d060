import * as echarts from 'echarts/core'
import type { EChartsOption } from './echarts'
import { dataUrlToBlob, download } from '../lib/download'

/** Saves a chart as PNG (from the live chart) or SVG (re-rendered with the SVG renderer). */
export function exportChart(
  chart: echarts.ECharts | null,
  option: EChartsOption,
  name: string,
  format: 'png' | 'svg'
): void {
  if (!chart) return
  if (format === 'png') {
    download(
      `${name}.png`,
      dataUrlToBlob(chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }))
    )
    return
  }
  const host = document.createElement('div')
  const svgChart = echarts.init(host, undefined, {
    renderer: 'svg',
    width: chart.getWidth(),
    height: chart.getHeight()
  })
  try {
    svgChart.setOption({ ...option, animation: false, backgroundColor: '#fff' })
    download(`${name}.svg`, svgChart.renderToSVGString(), 'image/svg+xml')
  } finally {
    svgChart.dispose()
  }
}
