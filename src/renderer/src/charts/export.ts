import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import type { EChartsOption } from './echarts'
import { canvasMeasure, exportLayout } from './export-layout'
import { dataUrlToBlob, download } from '../lib/download'

// Figures are saved as SVG too, whatever renders the chart on screen.
echarts.use(SVGRenderer)

/**
 * Saves a chart as PNG (at twice its size on screen) or SVG. Both are drawn afresh from the
 * chart's option with the whole legend shown (see exportLayout), not copied from the screen.
 */
export function exportChart(
  chart: echarts.ECharts | null,
  option: EChartsOption,
  name: string,
  format: string
): void {
  if (!chart || (format !== 'png' && format !== 'svg')) return
  const width = chart.getWidth()
  const layout = exportLayout(option, width, chart.getHeight(), canvasMeasure())
  const host = document.createElement('div')
  const figure = echarts.init(host, undefined, {
    renderer: format === 'png' ? 'canvas' : 'svg',
    width,
    height: layout.height,
    devicePixelRatio: 2
  })
  try {
    figure.setOption({ ...layout.option, backgroundColor: '#fff' })
    if (format === 'png')
      download(
        `${name}.png`,
        dataUrlToBlob(figure.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }))
      )
    else download(`${name}.svg`, figure.renderToSVGString(), 'image/svg+xml')
  } finally {
    figure.dispose()
  }
}
