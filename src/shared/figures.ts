import { gridForPixels, gridScale, type GlyphGrid } from './schemas'
import { imageShapeOf, pixelColour } from './image-pixels'

// Figures of glyphs and images, drawn the same way by the page (its PNG and SVG exports) and by
// the report service: a table of glyphs (7x5, or their set's grid) with labelled rows as SVG, and
// square images (grey or RGB) tiled into one raster (the page paints it on a canvas, the service
// encodes it as PNG).

export interface GlyphRow {
  label: string
  /** One glyph (35 values in [0, 1] for 7x5) per column; null leaves the cell empty. */
  cells: readonly (readonly number[] | null)[]
  /** Draws the pixels that are on in red (a difference row). */
  tone?: 'grey' | 'difference'
}

export interface GlyphTable {
  /** Column headings (e.g. the characters), above the first row. */
  columns?: readonly string[]
  rows: readonly GlyphRow[]
  /** Side of one pixel, in px (default 4). */
  pixel?: number
  /** A note under each column (e.g. "3→0" wrong pixels), one per column. */
  notes?: readonly string[]
  /** The glyphs' grid; else guessed from their pixel count (7x5 for 35, a square for 64). */
  grid?: GlyphGrid
}

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const shadeOf = (v: number): number => Math.round(255 * (1 - Math.min(1, Math.max(0, v))))

/** One glyph's pixels as SVG rects at (x, y): a white box and its non-white pixels. */
function glyphRects(
  pixels: readonly number[],
  x: number,
  y: number,
  size: number,
  diff: boolean,
  grid: GlyphGrid
): string {
  const { rows: GLYPH_ROWS, cols: GLYPH_COLS } = grid
  const parts = [
    `<rect x="${x}" y="${y}" width="${GLYPH_COLS * size}" height="${GLYPH_ROWS * size}" fill="#fff" stroke="#c9ced6" stroke-width="0.5"/>`
  ]
  pixels.forEach((v, i) => {
    const shade = shadeOf(v)
    if (shade === 255) return
    const fill = diff ? '#d9534f' : `rgb(${shade},${shade},${shade})`
    parts.push(
      `<rect x="${x + (i % GLYPH_COLS) * size}" y="${y + Math.floor(i / GLYPH_COLS) * size}" width="${size}" height="${size}" fill="${fill}"/>`
    )
  })
  return parts.join('')
}

/** A table of glyphs as one SVG document (labels left, columns of glyphs). */
export function glyphTableSvg(table: GlyphTable, title = 'glyphs'): string {
  const first = table.rows.flatMap((r) => r.cells).find((c) => c !== null)
  const grid = gridForPixels(first?.length ?? 35, table.grid)
  const { rows: GLYPH_ROWS, cols: GLYPH_COLS } = grid
  // A grid larger than 7x5 gets smaller pixels: every glyph fits a 7x5 glyph's box.
  const size = (table.pixel ?? 4) * gridScale(grid)
  const columns = Math.max(0, ...table.rows.map((r) => r.cells.length))
  const labelWidth = table.rows.some((r) => r.label)
    ? 8 + 6.5 * Math.max(...table.rows.map((r) => r.label.length))
    : 0
  // Wide enough for the longest note under a column ("12→17"), about 5.5 px a character.
  const noteWidth = Math.max(0, ...(table.notes ?? []).map((n) => n.length * 5.5 + 3))
  const cellW = Math.max(GLYPH_COLS * size + Math.max(3, size), noteWidth)
  const cellH = GLYPH_ROWS * size + Math.max(3, size)
  const head = table.columns ? 14 : 0
  const foot = table.notes ? 14 : 0
  const width = Math.ceil(labelWidth + columns * cellW + 2)
  const height = Math.ceil(head + table.rows.length * cellH + foot + 2)
  const text = (x: number, y: number, value: string, anchor = 'middle'): string =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="10" fill="#333" text-anchor="${anchor}">${escapeXml(value)}</text>`
  const parts: string[] = []
  table.columns?.forEach((c, k) =>
    parts.push(text(labelWidth + k * cellW + (GLYPH_COLS * size) / 2, 10, c === ' ' ? '␣' : c))
  )
  table.rows.forEach((row, r) => {
    const y = head + r * cellH + 1
    if (row.label) parts.push(text(0, y + (GLYPH_ROWS * size) / 2 + 4, row.label, 'start'))
    row.cells.forEach((cell, k) => {
      if (cell)
        parts.push(
          glyphRects(cell, labelWidth + k * cellW + 1, y, size, row.tone === 'difference', grid)
        )
    })
  })
  table.notes?.forEach((n, k) =>
    parts.push(
      text(
        labelWidth + k * cellW + (GLYPH_COLS * size) / 2,
        head + table.rows.length * cellH + 11,
        n
      )
    )
  )
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`
}

/** Glyphs laid out n per row without labels (a decode grid, a strip). */
export function glyphGrid(patterns: readonly (readonly number[])[], perRow: number): GlyphRow[] {
  const rows: GlyphRow[] = []
  for (let i = 0; i < patterns.length; i += perRow)
    rows.push({ label: '', cells: patterns.slice(i, i + perRow) })
  return rows
}

export interface GreyRaster {
  width: number
  height: number
  /** 1 (grey) or 3 (RGB, interleaved) values per pixel. */
  channels: 1 | 3
  /** `channels` levels (0-255) per pixel, row-major. */
  data: Uint8Array
}

/**
 * Square images (values in [0, 1], `side` x `side` of 1 or 3 channels; by default the shape of
 * the first image's length, image-pixels.ts: grey drawn dark on light, RGB in its colours) tiled
 * `perRow` to a row with `gap` light pixels between them, each pixel repeated `scale` times.
 */
export function tileImages(
  images: readonly (readonly number[])[],
  perRow: number,
  options: { side?: number; gap?: number; scale?: number } = {}
): GreyRaster {
  const shape = imageShapeOf(images[0]?.length ?? 28 * 28)
  const side = options.side ?? shape.side
  const channels = shape.channels
  const gap = options.gap ?? 2
  const scale = Math.max(1, Math.round(options.scale ?? 1))
  const cols = Math.max(1, Math.min(perRow, images.length))
  const rows = Math.max(1, Math.ceil(images.length / cols))
  const cell = side * scale
  const width = cols * cell + (cols + 1) * gap
  const height = rows * cell + (rows + 1) * gap
  const data = new Uint8Array(width * height * channels).fill(228)
  images.forEach((image, k) => {
    const x0 = gap + (k % cols) * (cell + gap)
    const y0 = gap + Math.floor(k / cols) * (cell + gap)
    for (let y = 0; y < cell; y++) {
      const row = (y0 + y) * width + x0
      const from = Math.floor(y / scale) * side
      for (let x = 0; x < cell; x++) {
        const colour = pixelColour(image, from + Math.floor(x / scale), channels)
        data.set(channels === 1 ? colour.slice(0, 1) : colour, (row + x) * channels)
      }
    }
  })
  return { width, height, channels, data }
}
