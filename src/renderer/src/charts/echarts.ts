import * as echarts from 'echarts/core'
import { BarChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent
} from 'echarts/components'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { LabelLayout } from 'echarts/features'
import { onBeforeUnmount, onMounted, watch, type Ref, type ShallowRef } from 'vue'

// Only the ECharts parts the lab uses are registered, which keeps the bundle small.
echarts.use([
  AriaComponent,
  BarChart,
  LineChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DataZoomComponent,
  CanvasRenderer,
  SVGRenderer,
  // labelLayout: crowded glyph labels in the latent plane move apart or hide.
  LabelLayout
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
  const dispose = (): void => {
    observer?.disconnect()
    observer = null
    chart?.dispose()
    chart = null
  }
  // The element may come and go (v-if): the chart follows it.
  const attach = (node: HTMLElement | null): void => {
    dispose()
    if (!node) return
    const created = echarts.init(node, undefined, { renderer })
    created.setOption(option.value)
    observer = new ResizeObserver(() => created.resize())
    observer.observe(node)
    chart = created
  }
  onMounted(() => attach(el.value))
  watch(el, (node) => attach(node))
  // notMerge: series come and go (the probe, the drawing, compared runs).
  watch(option, (next) => chart?.setOption(next, { notMerge: true, lazyUpdate: true }))
  onBeforeUnmount(dispose)
  return { chart: () => chart }
}
