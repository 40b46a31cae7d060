import { glyphTableSvg, tileImages, type GlyphTable } from '@shared/figures'
import { download } from './download'

// Saving the lab's glyph and image figures: glyph tables as SVG (the drawing the report uses)
// or PNG at twice their size on screen; grids and strips of images (grey or RGB) as PNG.

function canvasPng(canvas: HTMLCanvasElement, filename: string): Promise<void> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error('the figure could not be drawn'))
      download(filename, blob)
      resolve()
    }, 'image/png')
  )
}

/** A glyph table saved as SVG, or as PNG drawn at 2x. */
export async function exportGlyphTable(
  table: GlyphTable,
  name: string,
  format: 'png' | 'svg'
): Promise<void> {
  const svg = glyphTableSvg(table, name)
  if (format === 'svg') return download(`${name}.svg`, svg, 'image/svg+xml')
  const image = new Image()
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
  await image.decode()
  const canvas = document.createElement('canvas')
  canvas.width = image.naturalWidth * 2
  canvas.height = image.naturalHeight * 2
  const context = canvas.getContext('2d')
  if (!context) throw new Error('the figure could not be drawn')
  context.drawImage(image, 0, 0, canvas.width, canvas.height)
  await canvasPng(canvas, `${name}.png`)
}

/** Square images (values in [0, 1], grey or RGB) tiled `perRow` to a row, as PNG at 2x their 56 px on screen. */
export async function exportImages(
  images: readonly (readonly number[])[],
  perRow: number,
  name: string
): Promise<void> {
  const raster = tileImages(images, perRow, { scale: 4, gap: 4 })
  const canvas = document.createElement('canvas')
  canvas.width = raster.width
  canvas.height = raster.height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('the figure could not be drawn')
  const data = context.createImageData(raster.width, raster.height)
  const { channels } = raster
  for (let p = 0; p < raster.width * raster.height; p++) {
    const at = p * channels
    const rgb =
      channels === 3
        ? raster.data.subarray(at, at + 3)
        : [raster.data[at]!, raster.data[at]!, raster.data[at]!]
    data.data.set([...rgb, 255], p * 4)
  }
  context.putImageData(data, 0, 0)
  await canvasPng(canvas, `${name}.png`)
}
