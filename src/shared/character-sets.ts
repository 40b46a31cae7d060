import { z } from 'zod'
import {
  DEFAULT_GRID,
  MAX_GLYPH_PIXELS,
  MAX_GRID_SIDE,
  checkGlyphGrid,
  glyphGridSchema,
  gridOf,
  glyphSchema
} from './schemas'
import {
  checkUnique,
  parseFontHeader,
  rowsToPixels,
  type GridHint,
  type HeaderFont
} from './glyphs-header'

export {
  charForCode,
  parseFontHeader,
  pixelsToRows,
  rowsToPixels,
  type GridHint,
  type HeaderFont
} from './glyphs-header'
export { sliceGlyphSheet, type SheetImage, type SheetOptions } from './glyphs-sheet'

// Character sets a user brings: C headers (the course's `int const Font1[32][7] = {{0x04, ...},
// // 0x21, !` and wider ones, glyphs-header.ts), the lab's glyph JSON (the shape of
// resources/datasets/fonts.json, with an optional grid) and PNG sprite sheets (glyphs-sheet.ts,
// decoded by the caller). Pure, so the renderer parses a file the user picked or dropped and the
// CLI reads an experiment's fontFile with the same code. Every refusal names the file and the
// line (or the JSON path, or the glyph).

/** How many imported character sets a session keeps. */
export const MAX_CHARACTER_SETS = 64

/** An imported character set, kept in the session next to Font1-3. */
export const characterSetSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    /** The file it was imported from. */
    source: z.string().max(255).optional(),
    /** Rows and columns of its glyphs; the course's 7x5 when absent (sets saved before grids). */
    grid: glyphGridSchema.optional(),
    glyphs: z.array(glyphSchema).min(1).max(256)
  })
  .refine((set) => new Set(set.glyphs.map((g) => g.char)).size === set.glyphs.length, {
    message: 'two glyphs have the same label',
    path: ['glyphs']
  })
  .superRefine((set, ctx) => checkGlyphGrid(set.glyphs, gridOf(set), ctx))
export type CharacterSet = z.output<typeof characterSetSchema>

// The lab's glyph JSON: `{"fonts": {NAME: {"description"?, "grid"?, "glyphs": [...]}}}`
// (fonts.json) or one set, `{"name"?, "grid"?, "glyphs": [...]}`; the grid is `{"rows", "cols"}`
// (7x5 when absent); a glyph gives `rows` (one integer per row, the leftmost pixel in the highest
// bit) or `pixels` (rows x cols values, row-major).
const jsonGlyphSchema = z
  .object({
    char: z.string().min(1).max(4),
    code: z.number().int().min(0).max(0x10ffff).optional(),
    rows: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(2 ** MAX_GRID_SIDE - 1)
      )
      .min(1)
      .max(MAX_GRID_SIDE)
      .optional(),
    pixels: z.array(z.number().min(0).max(1)).min(1).max(MAX_GLYPH_PIXELS).optional()
  })
  .refine((g) => (g.rows === undefined) !== (g.pixels === undefined), {
    message: 'give either rows (one integer per row) or pixels (rows x cols values)'
  })
const jsonSetSchema = z
  .object({
    description: z.string().optional(),
    name: z.string().min(1).max(80).optional(),
    grid: glyphGridSchema.default(DEFAULT_GRID),
    glyphs: z.array(jsonGlyphSchema).min(1).max(256)
  })
  .superRefine((set, ctx) => {
    const { grid } = set
    set.glyphs.forEach((g, i) => {
      if (g.rows && g.rows.length !== grid.rows)
        ctx.addIssue({
          code: 'custom',
          path: ['glyphs', i, 'rows'],
          message: `glyph ${i} ("${g.char}") has ${g.rows.length} rows; the set's ${grid.rows}x${grid.cols} grid has ${grid.rows}`
        })
      const wide = g.rows?.findIndex((r) => r >= 2 ** grid.cols) ?? -1
      if (wide >= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['glyphs', i, 'rows', wide],
          message: `glyph ${i} ("${g.char}") row ${wide} is wider than the grid's ${grid.cols} columns`
        })
    })
    checkGlyphGrid(
      set.glyphs.flatMap((g) => (g.pixels ? [{ char: g.char, pixels: g.pixels }] : [])),
      grid,
      ctx
    )
  })
const glyphJsonSchema = z.union([
  z.object({ fonts: z.record(z.string().min(1).max(80), jsonSetSchema) }),
  jsonSetSchema
])

/** Parses the lab's glyph JSON; a refusal names the file and the JSON path. */
export function parseGlyphJson(text: string, fileName = 'the file'): HeaderFont[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`${fileName}: not valid JSON (${(error as Error).message})`, { cause: error })
  }
  const parsed = glyphJsonSchema.safeParse(doc)
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) =>
      i.code === 'invalid_union' ? i.errors.flat() : [i]
    )
    const issue = issues.find((i) => i.path.length > 0) ?? parsed.error.issues[0]
    throw new Error(
      `${fileName}: not a glyph file: ${issue?.path.join('.') || '(document)'}: ${issue?.message ?? 'unknown shape'}`
    )
  }
  const data = parsed.data
  const base = fileName.replace(/\.[^.]*$/, '')
  const entries =
    'fonts' in data ? Object.entries(data.fonts) : [[data.name ?? base, data] as const]
  return entries.map(([name, set]) => {
    const glyphs = set.glyphs.map((g, i) => ({
      char: g.char,
      code: g.code ?? g.char.codePointAt(0) ?? i,
      pixels: g.rows
        ? rowsToPixels(g.rows, set.grid)
        : (g.pixels ?? []).map((p) => (p >= 0.5 ? 1 : 0)),
      place: `glyphs.${i}`
    }))
    checkUnique(fileName, name, glyphs)
    return {
      name,
      grid: set.grid,
      glyphs: glyphs.map(({ char, code, pixels }) => ({ char, code, pixels }))
    }
  })
}

/** True for a file the character-set importer reads (a C header, glyph JSON, a PNG sheet), by its name. */
export const isCharacterSetFileName = (fileName: string): boolean =>
  /\.(h|hpp|c|json|png)$/i.test(fileName)

/**
 * Reads a `.h` header or glyph JSON into character sets; errors name the file and line. A
 * header's grid may be given (`hint`); a JSON file says its own.
 */
export function parseCharacterSetFile(
  fileName: string,
  text: string,
  hint: GridHint = {}
): HeaderFont[] {
  if (/\.json$/i.test(fileName) || text.trimStart().startsWith('{'))
    return parseGlyphJson(text, fileName)
  return parseFontHeader(text, fileName, hint)
}

/**
 * Names imported sets so that none shadows another (Font1 from font.h next to the lab's Font1
 * becomes "Font1 (font.h)"), and returns them as session character sets.
 */
export function nameImportedSets(
  fonts: readonly HeaderFont[],
  fileName: string,
  taken: readonly string[]
): CharacterSet[] {
  const used = new Set(taken)
  return fonts.map((font) => {
    let name = used.has(font.name) ? `${font.name} (${fileName})` : font.name
    for (let n = 2; used.has(name); n++) name = `${font.name} (${fileName}) ${n}`
    used.add(name)
    return {
      name: name.slice(0, 80),
      source: fileName.slice(0, 255),
      grid: font.grid,
      glyphs: font.glyphs
    }
  })
}
