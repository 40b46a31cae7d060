export { exportLayout } from '@shared/charts/export-layout'

/** Text widths from the page's own font rendering (a canvas), for `exportLayout`. */
export function canvasMeasure(): (text: string, fontSize: number) => number {
  const context = document.createElement('canvas').getContext('2d')
  return (text, fontSize) => {
    if (!context) return text.length * fontSize * 0.62
    context.font = `${fontSize}px sans-serif`
    return context.measureText(text).width
  }
}
