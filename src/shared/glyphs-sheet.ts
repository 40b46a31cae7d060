import { MAX_GRID_SIDE, type Glyph } from './glyphs'
import { charForCode, type GridHint, type HeaderFont } from './glyphs-header'

// A PNG sprite sheet of glyphs: a grid of equal cells, one glyph per cell, read left to right
// and top to bottom, each pixel thresholded at 50% luminance. The decoding is the caller's (sharp
// on the command line); this part is pure. Refusals name the file and the cell.

/** A decoded sheet: its size and one luminance value (0 black .. 255 white) per pixel. */
export interface SheetImage {
  width: number
  height: number
  luminance: ArrayLike<number>
}

export interface SheetOptions extends GridHint {
  /** How many cells hold glyphs (the first ones); else every cell up to the last non-blank one. */
  count?: number | undefined
  /** The character code of the first cell (labels follow it); 0x20, a space, by default. */
  first?: number | undefined
  /** The set's name; the file's name without its extension by default. */
  name?: string | undefined
}

/**
 * The cell size: given (one side given makes a square), else detected: a sheet at most 16
 * pixels high is one strip of square cells; else 16 columns of square cells (the ASCII layout);
 * else 16x16 or 8x8 cells, the first that divides the sheet.
 */
function cellOf(
  image: SheetImage,
  fileName: string,
  hint: GridHint
): { rows: number; cols: number } {
  const { width, height } = image
  const given = hint.rows ?? hint.cols
  if (given !== undefined) return { rows: hint.rows ?? given, cols: hint.cols ?? given }
  if (height <= MAX_GRID_SIDE && width % height === 0) return { rows: height, cols: height }
  const side = width / 16
  if (Number.isInteger(side) && side <= MAX_GRID_SIDE && height % side === 0)
    return { rows: side, cols: side }
  for (const s of [16, 8]) if (width % s === 0 && height % s === 0) return { rows: s, cols: s }
  throw new Error(
    `${fileName}: cannot tell the cell size of a ${width}x${height} sheet (neither one row of square cells, nor 16 columns of them, nor a whole number of 16x16 or 8x8 cells); give the glyph grid (rows and columns)`
  )
}

/** Slices a sheet into a character set; a refusal names the file (and the cell). */
export function sliceGlyphSheet(
  image: SheetImage,
  fileName: string,
  options: SheetOptions = {}
): HeaderFont {
  const { width, height, luminance } = image
  if (luminance.length !== width * height)
    throw new Error(`${fileName}: ${luminance.length} pixel values for a ${width}x${height} image`)
  const cell = cellOf(image, fileName, options)
  for (const [what, n] of [
    ['rows', cell.rows],
    ['columns', cell.cols]
  ] as const)
    if (!Number.isInteger(n) || n < 1 || n > MAX_GRID_SIDE)
      throw new Error(`${fileName}: glyphs have 1 to ${MAX_GRID_SIDE} ${what}, not ${n}`)
  if (width % cell.cols !== 0 || height % cell.rows !== 0)
    throw new Error(
      `${fileName}: the sheet is ${width}x${height} pixels, not a whole number of ${cell.cols}x${cell.rows} cells (${width % cell.cols !== 0 ? `${width} is not a multiple of ${cell.cols}` : `${height} is not a multiple of ${cell.rows}`})`
    )
  const across = width / cell.cols
  const cells = across * (height / cell.rows)
  if (options.count !== undefined && (options.count < 1 || options.count > cells))
    throw new Error(
      `${fileName}: asked for ${options.count} glyphs, the sheet has ${cells} cells of ${cell.cols}x${cell.rows}`
    )
  // Ink is whichever side of 50% the fewer pixels are on: dark glyphs on white, or light on black.
  let dark = 0
  for (let i = 0; i < luminance.length; i++) if ((luminance[i] ?? 0) < 128) dark++
  const inkIsDark = dark <= luminance.length / 2
  const ink = (v: number): number => (v < 128 === inkIsDark ? 1 : 0)
  const glyphs: Glyph[] = []
  const first = options.first ?? 0x20
  for (let k = 0; k < (options.count ?? cells); k++) {
    const x0 = (k % across) * cell.cols
    const y0 = Math.floor(k / across) * cell.rows
    const pixels: number[] = []
    for (let r = 0; r < cell.rows; r++)
      for (let c = 0; c < cell.cols; c++)
        pixels.push(ink(luminance[(y0 + r) * width + x0 + c] ?? 0))
    glyphs.push({ char: charForCode(first + k), code: first + k, pixels })
  }
  // Without a count, the blank cells that end the sheet are not glyphs (one glyph at least).
  if (options.count === undefined)
    while (glyphs.length > 1 && glyphs.at(-1)!.pixels.every((p) => p === 0)) glyphs.pop()
  if (glyphs.length > 256)
    throw new Error(
      `${fileName}: ${glyphs.length} cells of ${cell.cols}x${cell.rows}; a character set has at most 256 glyphs (give a count)`
    )
  return {
    name: options.name ?? (fileName.replace(/\.[^.]*$/, '') || 'sheet'),
    grid: cell,
    glyphs
  }
}
