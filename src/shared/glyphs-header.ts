import { DEFAULT_GRID, MAX_GRID_SIDE, gridLabel, type Glyph, type GlyphGrid } from './glyphs'

// The C header readers: the course's `int const Font1[32][7] = {{0x04, ...}, // 0x21, !` (7 rows
// of 5 bits) and the wider bitmap fonts other courses use, e.g. `const uint8_t font[128][8]`
// (each byte a row of 8 pixels, most significant bit on the left). Pure, shared by the page and
// the command line. Every refusal names the file, the line and the glyph.

/** A character set read from a file, with its grid. */
export interface HeaderFont {
  name: string
  grid: GlyphGrid
  glyphs: Glyph[]
}

/** What a reader is told about the grid; what is not given is detected. */
export interface GridHint {
  rows?: number | undefined
  cols?: number | undefined
}

/** Row integers (the leftmost pixel in bit cols-1) -> pixels, row-major, 0 or 1. */
export function rowsToPixels(rows: readonly number[], grid: GlyphGrid = DEFAULT_GRID): number[] {
  if (rows.length !== grid.rows)
    throw new Error(`a glyph has ${grid.rows} rows, got ${rows.length} (a ${gridLabel(grid)} grid)`)
  const pixels: number[] = []
  rows.forEach((row, r) => {
    if (!Number.isInteger(row) || row < 0 || row >= 2 ** grid.cols) {
      throw new Error(
        `row value ${row} does not fit in ${grid.cols} bits (row ${r} is wider than the ${gridLabel(grid)} grid)`
      )
    }
    for (let col = grid.cols - 1; col >= 0; col--) pixels.push(Math.floor(row / 2 ** col) % 2)
  })
  return pixels
}

/** Pixels -> row integers (the leftmost pixel in bit cols-1); pixels are thresholded at 0.5. */
export function pixelsToRows(pixels: readonly number[], grid: GlyphGrid = DEFAULT_GRID): number[] {
  const want = grid.rows * grid.cols
  if (pixels.length !== want) throw new Error(`a ${gridLabel(grid)} glyph has ${want} pixels`)
  const rows: number[] = []
  for (let r = 0; r < grid.rows; r++) {
    let value = 0
    for (let c = 0; c < grid.cols; c++)
      value = value * 2 + ((pixels[r * grid.cols + c] ?? 0) >= 0.5 ? 1 : 0)
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

const arrayHeadRE =
  /(int|char|uint8_t|unsigned\s+char|uint16_t|unsigned\s+short|short|unsigned|uint32_t|unsigned\s+int)\s+(?:const\s+)?(\w+)\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*\]\s*(?:PROGMEM\s*)?=\s*\{/g
// A glyph row: `{v, v, ...}` and the rest of its line, where a `// 0xCODE, LABEL` comment may sit.
const glyphLineRE = /\{([^{}]*)\}\s*,?[ \t]*(?:\/\/([^\n]*))?/g
const commentRE = /^\s*(?:(?:0x|U\+)([0-9a-fA-F]+)\s*,?)?(.*)$/

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length
const labelLength = (label: string): number => [...label].length

/** A glyph's label and code from its `// 0x41, A` comment, else its index in the array. */
function labelOf(comment: string | undefined, index: number): { char: string; code: number } {
  const [, codeHex, rest = ''] = commentRE.exec(comment ?? '') ?? []
  // Comments may write a character C-escaped (`// 0x5c, \\` is one backslash), or in brackets
  // (`// U+0041 (A)`).
  const label = rest
    .trim()
    .replace(/^\((.{1,4})\)$/u, '$1')
    .replace(/\\([\\'"])/g, '$1')
  const code = codeHex !== undefined ? parseInt(codeHex, 16) : undefined
  // The course writes the space glyph as `// 0x20, ` (a blank label): its code names it.
  if (label.length > 0 && labelLength(label) <= 4)
    return { char: label, code: code ?? label.codePointAt(0) ?? index }
  if (code !== undefined) return { char: charForCode(code), code }
  return { char: String(index), code: index }
}

/** Refuses a second glyph with a label already used in the set, naming where both are. */
export function checkUnique(
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

/** Bits in a row of the C type, when the type says (a byte is a row of 8 pixels). */
function typeBits(type: string): number | undefined {
  if (/^(uint8_t|char|unsigned\s+char)$/.test(type)) return 8
  if (/^(uint16_t|unsigned\s+short|short)$/.test(type)) return 16
  return undefined
}

/**
 * The columns of an array's glyphs when not given: 5 for 7 rows (the course's format; a wider
 * value is refused, so a 7-row font of another width needs its columns given), else the type's
 * width (8 for a byte, 16 for uint16_t), else the fewer of 8 or 16 bits that hold every value.
 */
function detectCols(type: string, rows: number, values: readonly number[]): number {
  if (rows === DEFAULT_GRID.rows) return DEFAULT_GRID.cols
  return typeBits(type) ?? (Math.max(0, ...values) < 0x100 ? 8 : MAX_GRID_SIDE)
}

function checkSide(what: string, n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GRID_SIDE)
    throw new Error(`${where}: glyphs have 1 to ${MAX_GRID_SIDE} ${what}, not ${n}`)
}

/**
 * Parses a C header of glyph arrays: one or more `type NAME[N][ROWS] = { {row, ...}, // 0xCODE, C
 * ... };`, each row an integer whose bits are its pixels (leftmost pixel in the highest column
 * bit). The grid's rows are the array's second size; its columns are given, or detected (see
 * `detectCols`). A glyph's label comes from its trailing comment (`// 0x41, A`: "A"; `// 0x41`:
 * the character of the code), else from its index in the array. Errors name the line and glyph.
 */
export function parseFontHeader(
  text: string,
  fileName = 'the header',
  hint: GridHint = {}
): HeaderFont[] {
  const fonts: HeaderFont[] = []
  const heads = [...text.matchAll(arrayHeadRE)]
  if (heads.length === 0)
    throw new Error(
      `${fileName}: no glyph array found (expected e.g. \`int const Font1[32][7] = {\` or \`const uint8_t font[128][8] = {\`)`
    )
  for (const head of heads) {
    const [, type = 'int', name = '', countText = '0', rowsText = '0'] = head
    const headLine = lineAt(text, head.index ?? 0)
    const at = (line: number): string => `${fileName} line ${line}: ${name}`
    const count = Number(countText)
    const rows = Number(rowsText)
    checkSide('rows', rows, at(headLine))
    if (hint.rows !== undefined && hint.rows !== rows)
      throw new Error(`${at(headLine)}: glyphs must have ${hint.rows} rows, found [${rowsText}]`)
    if (hint.cols !== undefined) checkSide('columns', hint.cols, fileName)
    const start = (head.index ?? 0) + head[0].length
    const end = text.indexOf('};', start)
    if (end < 0) throw new Error(`${at(headLine)}: the array is not closed with "};"`)
    const body = text.slice(start, end)
    const found: { rows: number[]; comment: string | undefined; line: number }[] = []
    for (const match of body.matchAll(glyphLineRE)) {
      const [, values = '', comment] = match
      const line = lineAt(text, start + (match.index ?? 0))
      const where = `${at(line)} glyph ${found.length}`
      const glyphRows = values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => {
          const n = Number(v.replace(/[uUlL]+$/, ''))
          if (!Number.isInteger(n)) throw new Error(`${where}: "${v}" is not an integer`)
          return n
        })
      found.push({ rows: glyphRows, comment, line })
    }
    if (found.length !== count)
      throw new Error(`${at(headLine)}: declared ${count} glyphs, found ${found.length}`)
    const cols =
      hint.cols ??
      detectCols(
        type,
        rows,
        found.flatMap((g) => g.rows)
      )
    const grid = { rows, cols }
    const glyphs = found.map((g, i) => {
      let pixels: number[]
      try {
        pixels = rowsToPixels(g.rows, grid)
      } catch (error) {
        throw new Error(`${at(g.line)} glyph ${i}: ${(error as Error).message}`, { cause: error })
      }
      return { ...labelOf(g.comment, i), pixels, place: `line ${g.line}` }
    })
    checkUnique(fileName, name, glyphs)
    fonts.push({
      name,
      grid,
      glyphs: glyphs.map(({ char, code, pixels }) => ({ char, code, pixels }))
    })
  }
  return fonts
}
