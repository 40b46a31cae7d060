import * as echarts from 'echarts/core'
import { BarChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent
} from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { EChartsOption } from '../../shared/charts/echarts-option'
import { estimatedMeasure, exportLayout } from '../../shared/charts/export-layout'

// Charts of a report: the page's own option builders (src/shared/charts), rendered to SVG
// strings on the server by ECharts' SSR mode (no DOM, no canvas), with the whole legend laid
// out as the page's figure exports do.

echarts.use([
  SVGRenderer,
  LineChart,
  ScatterChart,
  BarChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent
])

/** The chart of `option` as an SVG document, `width` wide (taller by its legend's rows). */
export function chartSvg(option: EChartsOption, width: number, height: number): string {
  const layout = exportLayout(option, width, height, estimatedMeasure)
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width,
    height: layout.height
  })
  try {
    chart.setOption({ ...layout.option, animation: false, backgroundColor: '#fff' })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}
