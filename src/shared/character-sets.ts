import { z } from 'zod'
import { GLYPH_COLS, GLYPH_PIXELS, GLYPH_ROWS, glyphSchema, type Glyph } from './schemas'

// Character sets a user brings: the course's C header (`int const Font1[32][7] = {{0x04, ...},
// // 0x21, !`) and the lab's glyph JSON (the shape of resources/datasets/fonts.json). Pure, so the
// renderer parses a file the user picked or dropped and the CLI reads an experiment's fontFile
// with the same code. Every refusal names the file and the line (or the JSON path).

/** How many imported character sets a session keeps. */
export const MAX_CHARACTER_SETS = 64

/** An imported character set, kept in the session next to Font1-3. */
export const characterSetSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    /** The file it was imported from. */
    source: z.string().max(255).optional(),
    glyphs: z.array(glyphSchema).min(1).max(256)
  })
  .refine((set) => new Set(set.glyphs.map((g) => g.char)).size === set.glyphs.length, {
    message: 'two glyphs have the same label',
    path: ['glyphs']
  })
export type CharacterSet = z.infer<typeof characterSetSchema>

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

/** The label of a character code: the character itself, or a name for a control code (DEL). */
export function charForCode(code: number): string {
  if (code === 0x7f) return 'DEL'
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`
  return String.fromCodePoint(code)
}

export interface HeaderFont {
  name: string
  glyphs: Glyph[]
}

const arrayHeadRE =
  /(?:int|char|uint8_t|unsigned\s+char)\s+(?:const\s+)?(\w+)\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*\]\s*=\s*\{/g
// A glyph row: `{v, v, ...}` and the rest of its line, where a `// 0xCODE, LABEL` comment may sit.
const glyphLineRE = /\{([^{}]*)\}\s*,?[ \t]*(?:\/\/([^\n]*))?/g
const commentRE = /^\s*(?:0x([0-9a-fA-F]+)\s*,?)?(.*)$/

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length
const labelLength = (label: string): number => [...label].length

/** A glyph's label and code from its `// 0x41, A` comment, else its index in the array. */
function labelOf(comment: string | undefined, index: number): { char: string; code: number } {
  const [, codeHex, rest = ''] = commentRE.exec(comment ?? '') ?? []
  // Comments may write a character C-escaped (`// 0x5c, \\` is one backslash).
  const label = rest.trim().replace(/\\([\\'"])/g, '$1')
  const code = codeHex !== undefined ? parseInt(codeHex, 16) : undefined
  // The course writes the space glyph as `// 0x20, ` (a blank label): its code names it.
  if (label.length > 0 && labelLength(label) <= 4)
    return { char: label, code: code ?? label.codePointAt(0) ?? index }
  if (code !== undefined) return { char: charForCode(code), code }
  return { char: String(index), code: index }
}

/** Refuses a second glyph with a label already used in the set, naming where both are. */
function checkUnique(
  fileName: string,
  setName: string,
  glyphs: readonly { char: string; place: string }[]
): void {
  const first = new Map<string, number>()
  glyphs.forEach((g, i) => {
    const earlier = first.get(g.char)
    if (earlier !== undefined) {
      throw new Error(
        `${fileName} ${g.place}: ${setName} glyph ${i} is labelled "${g.char}" like glyph ${earlier} (${glyphs[earlier]!.place}); labels must be unique`
      )
    }
    first.set(g.char, i)
  })
}

/**
 * Parses a font.h-style header: one or more `type NAME[N][7] = { {row, ...}, // 0xCODE, C ... };`
 * arrays. A glyph's label comes from its trailing comment (`// 0x41, A`: "A"; `// 0x41`: the
 * character of the code), else from its index in the array. Errors name the line.
 */
export function parseFontHeader(text: string, fileName = 'the header'): HeaderFont[] {
  const fonts: HeaderFont[] = []
  const heads = [...text.matchAll(arrayHeadRE)]
  if (heads.length === 0)
    throw new Error(
      `${fileName}: no glyph array found (expected e.g. \`int const Font1[32][7] = {\`)`
    )
  for (const head of heads) {
    const [, name = '', countText = '0', rowsText = '0'] = head
    const headLine = lineAt(text, head.index ?? 0)
    const at = (line: number): string => `${fileName} line ${line}: ${name}`
    const count = Number(countText)
    if (Number(rowsText) !== GLYPH_ROWS)
      throw new Error(`${at(headLine)}: glyphs must have ${GLYPH_ROWS} rows, found [${rowsText}]`)
    const start = (head.index ?? 0) + head[0].length
    const end = text.indexOf('};', start)
    if (end < 0) throw new Error(`${at(headLine)}: the array is not closed with "};"`)
    const body = text.slice(start, end)
    const glyphs: (Glyph & { place: string })[] = []
    for (const match of body.matchAll(glyphLineRE)) {
      const [, values = '', comment] = match
      const line = lineAt(text, start + (match.index ?? 0))
      const where = `${at(line)} glyph ${glyphs.length}`
      const rows = values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => {
          const n = Number(v)
          if (!Number.isInteger(n)) throw new Error(`${where}: "${v}" is not an integer`)
          return n
        })
      let pixels: number[]
      try {
        pixels = rowsToPixels(rows)
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`, { cause: error })
      }
      glyphs.push({ ...labelOf(comment, glyphs.length), pixels, place: `line ${line}` })
    }
    if (glyphs.length !== count)
      throw new Error(`${at(headLine)}: declared ${count} glyphs, found ${glyphs.length}`)
    checkUnique(fileName, name, glyphs)
    fonts.push({ name, glyphs: glyphs.map(({ char, code, pixels }) => ({ char, code, pixels })) })
  }
  return fonts
}

// The lab's glyph JSON: `{"fonts": {NAME: {"description"?, "glyphs": [...]}}}` (fonts.json) or
// one set, `{"name"?, "glyphs": [...]}`; a glyph gives `rows` (7 integers) or `pixels` (35 values).
const jsonGlyphSchema = z
  .object({
    char: z.string().min(1).max(4),
    code: z.number().int().min(0).max(0x10ffff).optional(),
    rows: z.array(z.number().int().min(0).max(0x1f)).length(GLYPH_ROWS).optional(),
    pixels: z.array(z.number().min(0).max(1)).length(GLYPH_PIXELS).optional()
  })
  .refine((g) => (g.rows === undefined) !== (g.pixels === undefined), {
    message: 'give either rows (7 integers) or pixels (35 values)'
  })
const jsonSetSchema = z.object({
  description: z.string().optional(),
  name: z.string().min(1).max(80).optional(),
  glyphs: z.array(jsonGlyphSchema).min(1).max(256)
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
      pixels: g.rows ? rowsToPixels(g.rows) : (g.pixels ?? []).map((p) => (p >= 0.5 ? 1 : 0)),
      place: `glyphs.${i}`
    }))
    checkUnique(fileName, name, glyphs)
    return { name, glyphs: glyphs.map(({ char, code, pixels }) => ({ char, code, pixels })) }
  })
}

/** True for a file the character-set importer reads (a C header or glyph JSON), by its name. */
export const isCharacterSetFileName = (fileName: string): boolean =>
  /\.(h|hpp|c|json)$/i.test(fileName)

/** Reads a `.h` header or glyph JSON into character sets; errors name the file and line. */
export function parseCharacterSetFile(fileName: string, text: string): HeaderFont[] {
  if (/\.json$/i.test(fileName) || text.trimStart().startsWith('{'))
    return parseGlyphJson(text, fileName)
  return parseFontHeader(text, fileName)
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
    return { name: name.slice(0, 80), source: fileName.slice(0, 255), glyphs: font.glyphs }
  })
}
