import type { Ref } from 'vue'
import type { ECharts } from './echarts'

/**
 * Click-and-drag probing of a chart's plane: converts the pointer to data coordinates and
 * decodes at most one point at a time, the latest position winning, so dragging stays smooth
 * however long a decode takes.
 */
export function useProbeDrag(
  el: Ref<HTMLElement | null>,
  chart: () => ECharts | null,
  probeAt: (x: number, y: number) => Promise<void>,
  enabled: () => boolean
): { onDown: (e: MouseEvent) => void; onMove: (e: MouseEvent) => void; onUp: () => void } {
  let dragging = false
  let pending: [number, number] | null = null
  let inFlight = false

  async function pump(): Promise<void> {
    if (inFlight || !pending) return
    const [x, y] = pending
    pending = null
    inFlight = true
    try {
      await probeAt(x, y)
    } finally {
      inFlight = false
      void pump()
    }
  }

  function probeFrom(event: MouseEvent): void {
    const c = chart()
    if (!c || !el.value || !enabled()) return
    const box = el.value.getBoundingClientRect()
    const pixel = [event.clientX - box.left, event.clientY - box.top]
    if (!c.containPixel('grid', pixel)) return
    const value = c.convertFromPixel('grid', pixel) as number[]
    pending = [value[0]!, value[1]!]
    void pump()
  }

  return {
    onDown: (event) => {
      dragging = true
      probeFrom(event)
    },
    onMove: (event) => {
      if (dragging) probeFrom(event)
    },
    onUp: () => {
      dragging = false
    }
  }
}
