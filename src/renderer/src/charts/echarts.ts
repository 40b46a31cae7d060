import * as echarts from 'echarts/core'
import { LineChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent
} from 'echarts/components'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, watch, type Ref, type ShallowRef } from 'vue'

// Only the ECharts parts the lab uses are registered, which keeps the bundle small.
echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DataZoomComponent,
  CanvasRenderer,
  SVGRenderer
])

export type EChartsOption = echarts.EChartsCoreOption
export type ECharts = echarts.ECharts

/**
 * Mounts a chart in `el`, keeps it in sync with `option` (a pure function of the data held in a
 * shallowRef), resizes it with its box, and disposes it on unmount.
 */
export function useEChart(
  el: Ref<HTMLElement | null>,
  option: Readonly<ShallowRef<EChartsOption>> | Readonly<Ref<EChartsOption>>,
  renderer: 'canvas' | 'svg' = 'canvas'
): { chart: () => ECharts | null } {
  let chart: ECharts | null = null
  let observer: ResizeObserver | null = null
  onMounted(() => {
    if (!el.value) return
    chart = echarts.init(el.value, undefined, { renderer })
    chart.setOption(option.value)
    observer = new ResizeObserver(() => chart?.resize())
    observer.observe(el.value)
  })
  watch(option, (next) => chart?.setOption(next, { notMerge: false, lazyUpdate: true }))
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart?.dispose()
    chart = null
  })
  return { chart: () => chart }
}
