import * as echarts from 'echarts/core'
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, watch, type Ref, type ShallowRef } from 'vue'

// Only the ECharts parts the lab uses are registered: here what every chart has; each chart
// brings its own type (line, scatter, bar) and extras through useEChart's `parts`, so a lab's
// chunk of the bundle carries only the chart types it draws.
echarts.use([
  AriaComponent,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  CanvasRenderer
])

export type EChartsOption = echarts.EChartsCoreOption
export type ECharts = echarts.ECharts
/** A chart type, component, renderer or feature to register (from echarts/charts, ...). */
export type EChartsPart = Parameters<typeof echarts.use>[0]

interface ChartSettings {
  renderer?: 'canvas' | 'svg'
  /** The chart types and extras this chart needs besides the common ones above. */
  parts?: EChartsPart
  /**
   * Small changes merged into the chart (by series id) without redrawing the whole option:
   * what moves often (a probe) over what is big (10,000 points).
   */
  patch?: Readonly<Ref<EChartsOption | null>>
  /** Called after each time the chart is drawn (e.g. to place marks laid over it). */
  onRendered?: () => void
}

/**
 * Mounts a chart in `el`, keeps it in sync with `option` (a pure function of the data held in a
 * shallowRef), resizes it with its box, and disposes it on unmount.
 */
export function useEChart(
  el: Ref<HTMLElement | null>,
  option: Readonly<ShallowRef<EChartsOption>> | Readonly<Ref<EChartsOption>>,
  settings: ChartSettings = {}
): { chart: () => ECharts | null } {
  if (settings.parts) echarts.use(settings.parts)
  let chart: ECharts | null = null
  let observer: ResizeObserver | null = null
  const dispose = (): void => {
    observer?.disconnect()
    observer = null
    chart?.dispose()
    chart = null
  }
  const applyPatch = (): void => {
    const patch = settings.patch?.value
    if (chart && patch) chart.setOption(patch, { lazyUpdate: true })
  }
  // The element may come and go (v-if): the chart follows it.
  const attach = (node: HTMLElement | null): void => {
    dispose()
    if (!node) return
    const created = echarts.init(node, undefined, { renderer: settings.renderer ?? 'canvas' })
    if (settings.onRendered) created.on('finished', settings.onRendered)
    created.setOption(option.value)
    observer = new ResizeObserver(() => created.resize())
    observer.observe(node)
    chart = created
    applyPatch()
  }
  onMounted(() => attach(el.value))
  watch(el, (node) => attach(node))
  // notMerge: series come and go (the probe, the drawing, compared runs).
  watch(option, (next) => {
    chart?.setOption(next, { notMerge: true, lazyUpdate: true })
    applyPatch()
  })
  if (settings.patch) watch(settings.patch, applyPatch)
  onBeforeUnmount(dispose)
  return { chart: () => chart }
}
