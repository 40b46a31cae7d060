import { z } from 'zod'
import {
  GLYPH_COLS,
  GLYPH_PIXELS,
  GLYPH_ROWS,
  fontNameSchema,
  type Font,
  type Glyph
} from '../../shared/schemas'

// Readers for the course's 7x5 character sets: the JSON form shipped in resources/datasets and
// the C header form (`int const Font1[32][7] = {{0x04, ...}, // 0x21, !`) people exchange.

/** Row integers (5 low bits, 0x10 = leftmost column) -> 35 pixels, row-major, 0 or 1. */
export function rowsToPixels(rows: readonly number[]): number[] {
  if (rows.length !== GLYPH_ROWS)
    throw new Error(`a glyph has ${GLYPH_ROWS} rows, got ${rows.length}`)
  const pixels: number[] = []
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0 || row > 0x1f) {
      throw new Error(`row value ${row} does not fit in ${GLYPH_COLS} bits`)
    }
    for (let col = GLYPH_COLS - 1; col >= 0; col--) pixels.push((row >> col) & 1)
  }
  return pixels
}

/** 35 pixels -> row integers; pixels are thresholded at 0.5. */
export function pixelsToRows(pixels: readonly number[]): number[] {
  if (pixels.length !== GLYPH_PIXELS) throw new Error(`a glyph has ${GLYPH_PIXELS} pixels`)
  const rows: number[] = []
  for (let r = 0; r < GLYPH_ROWS; r++) {
    let value = 0
    for (let c = 0; c < GLYPH_COLS; c++)
      value = (value << 1) | ((pixels[r * GLYPH_COLS + c] ?? 0) >= 0.5 ? 1 : 0)
    rows.push(value)
  }
  return rows
}

const fontsFileSchema = z.object({
  fonts: z.record(
    fontNameSchema,
    z.object({
      description: z.string(),
      glyphs: z
        .array(
          z.object({
            char: z.string().min(1).max(4),
            code: z.number().int().min(0),
            rows: z.array(z.number().int().min(0).max(0x1f)).length(GLYPH_ROWS)
          })
        )
        .min(1)
        .max(256)
    })
  )
})

/** Parses and validates the fonts.json document. */
export function parseFontsJson(text: string): Font[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`fonts file is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  const parsed = fontsFileSchema.safeParse(doc)
  if (!parsed.success) {
    throw new Error(
      `fonts file is malformed: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`
    )
  }
  return Object.entries(parsed.data.fonts).map(([name, font]) => ({
    name: fontNameSchema.parse(name),
    description: font.description,
    glyphs: font.glyphs.map((g): Glyph => ({
      char: g.char,
      code: g.code,
      pixels: rowsToPixels(g.rows)
    }))
  }))
}

export interface HeaderFont {
  name: string
  glyphs: Glyph[]
}

/** The label of a character code: the character itself, or a name for a control code (DEL). */
export function charForCode(code: number): string {
  if (code === 0x7f) return 'DEL'
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`
  return String.fromCodePoint(code)
}

const arrayHeadRE =
  /(?:int|char|uint8_t|unsigned\s+char)\s+(?:const\s+)?(\w+)\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*\]\s*=\s*\{/g
const glyphLineRE = /\{([^{}]*)\}\s*,?[ \t]*(?:\/\/\s*0x([0-9a-fA-F]+))?/g

/**
 * Parses a font.h-style header: one or more `type NAME[N][7] = { {row, ...}, // 0xCODE, C ... };`
 * arrays. A glyph's character code comes from its trailing `// 0xCODE` comment, else from
 * its position counted from 0x20.
 */
export function parseFontHeader(text: string): HeaderFont[] {
  const fonts: HeaderFont[] = []
  const heads = [...text.matchAll(arrayHeadRE)]
  if (heads.length === 0)
    throw new Error('no glyph array found (expected e.g. `int const Font1[32][7] = {`)')
  for (const head of heads) {
    const [, name = '', countText = '0', rowsText = '0'] = head
    const count = Number(countText)
    if (Number(rowsText) !== GLYPH_ROWS)
      throw new Error(`${name}: glyphs must have ${GLYPH_ROWS} rows, found [${rowsText}]`)
    const start = (head.index ?? 0) + head[0].length
    const end = text.indexOf('};', start)
    if (end < 0) throw new Error(`${name}: the array is not closed with "};"`)
    const body = text.slice(start, end)
    const glyphs: Glyph[] = []
    for (const line of body.matchAll(glyphLineRE)) {
      const [, values = '', codeHex] = line
      const rows = values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => {
          const n = Number(v)
          if (!Number.isInteger(n))
            throw new Error(`${name}, glyph ${glyphs.length}: "${v}" is not an integer`)
          return n
        })
      let pixels: number[]
      try {
        pixels = rowsToPixels(rows)
      } catch (error) {
        throw new Error(`${name}, glyph ${glyphs.length}: ${(error as Error).message}`, {
          cause: error
        })
      }
      const code = codeHex !== undefined ? parseInt(codeHex, 16) : 0x20 + glyphs.length
      glyphs.push({ char: charForCode(code), code, pixels })
    }
    if (glyphs.length !== count)
      throw new Error(`${name}: declared ${count} glyphs, found ${glyphs.length}`)
    fonts.push({ name, glyphs })
  }
  return fonts
}
