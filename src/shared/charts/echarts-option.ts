import type { EChartsCoreOption } from 'echarts/core'

// A chart's option as ECharts takes it (types only: the page draws it on a canvas, the report
// service renders it to SVG on the server; both from the same builders in this folder).
export type EChartsOption = EChartsCoreOption
