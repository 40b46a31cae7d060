import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFontHeader, parseFontsJson, pixelsToRows, rowsToPixels } from '../src/ml/data/fonts'
import {
  characterSetSchema,
  nameImportedSets,
  parseCharacterSetFile
} from '../src/shared/character-sets'
import { loadFonts } from '../src/ml/data/datasets'
import { datasetsDir, root } from './helpers'

const header = readFileSync(resolve(root, 'test/fixtures/font.h'), 'utf8')

describe('fonts.json', () => {
  it('holds three character sets of 32 glyphs with 35 binary pixels each', async () => {
    const fonts = await loadFonts(datasetsDir)
    expect(fonts.map((f) => f.name)).toEqual(['Font1', 'Font2', 'Font3'])
    for (const font of fonts) {
      expect(font.glyphs).toHaveLength(32)
      for (const glyph of font.glyphs)
        expect(glyph.pixels.every((p) => p === 0 || p === 1)).toBe(true)
    }
    const font2 = fonts[1]!
    expect(font2.glyphs.map((g) => g.char).join('')).toBe('@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_')
    // 'A' = 0x04 0x0a 0x11 0x11 0x1f 0x11 0x11, drawn top row first, leftmost pixel first.
    const a = font2.glyphs[1]!
    expect(a.pixels.slice(0, 5)).toEqual([0, 0, 1, 0, 0])
    expect(a.pixels.slice(20, 25)).toEqual([1, 1, 1, 1, 1])
  })

  it('rejects malformed documents with a message naming the problem', () => {
    expect(() => parseFontsJson('{"fonts": ')).toThrow(/not valid JSON/)
    expect(() =>
      parseFontsJson(
        '{"fonts": {"Font1": {"description": "x", "glyphs": [{"char": "a", "code": 97, "rows": [1,2,3]}]}}}'
      )
    ).toThrow(/rows/)
    expect(() =>
      parseFontsJson(
        '{"fonts": {"Font1": {"description": "x", "glyphs": [{"char": "a", "code": 97, "rows": [1,2,3,4,5,6,99]}]}}}'
      )
    ).toThrow(/rows/)
  })
})

describe('font.h parser', () => {
  it('reads the course header into the same glyphs as fonts.json', async () => {
    const fromHeader = parseFontHeader(header)
    const fromJson = await loadFonts(datasetsDir)
    expect(fromHeader.map((f) => f.name)).toEqual(['Font1', 'Font2', 'Font3'])
    fromHeader.forEach((font, i) => {
      expect(font.glyphs).toEqual(fromJson[i]!.glyphs)
    })
  })

  it('labels glyphs from their comments, else by their index', () => {
    const [font] = parseFontHeader(
      [
        'int const Mine[4][7] = {',
        ' {0x1f,0,0,0,0,0,0},   // 0x41, A',
        ' {0,0,0,0,0,0,0x1f},   // 0x7f',
        ' {0,0,0,0,0,0,0x01},',
        ' {0,0,0,0,0,0,0x02}    // 0x7e, ~',
        '};'
      ].join('\n')
    )
    expect(font!.name).toBe('Mine')
    expect(font!.glyphs.map((g) => g.char)).toEqual(['A', 'DEL', '2', '~'])
    expect(font!.glyphs[0]!.pixels.slice(0, 5)).toEqual([1, 1, 1, 1, 1])
  })

  it('names the line of a bad row and of a duplicate label', () => {
    const lines = [
      '/* two sets */',
      'unsigned char Small[3][7] = {',
      '  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11},  // 0x41, A',
      '  {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e},  // 0x42, B',
      '  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11}   // 0x41, A',
      '};'
    ]
    expect(() => parseFontHeader(lines.join('\n'), 'mine.h')).toThrow(
      'mine.h line 5: Small glyph 2 is labelled "A" like glyph 0 (line 3); labels must be unique'
    )
    lines[4] = '  {0x04, 0x0a, 0x11, 0x11, 0x3f, 0x11, 0x11}   // 0x43, C'
    expect(() => parseFontHeader(lines.join('\n'), 'mine.h')).toThrow(
      'mine.h line 5: Small glyph 2: row value 63 does not fit in 5 bits'
    )
    lines[4] = '  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11}   // 0x43, C'
    expect(() => parseFontHeader(lines.join('\n'), 'mine.h')).toThrow(
      'mine.h line 5: Small glyph 2: a glyph has 7 rows, got 6'
    )
  })

  it('reads the lab glyph JSON: fonts.json itself, or one set with rows or pixels', () => {
    const fontsJson = readFileSync(resolve(datasetsDir, 'fonts.json'), 'utf8')
    const sets = parseCharacterSetFile('fonts.json', fontsJson)
    expect(sets.map((s) => s.name)).toEqual(['Font1', 'Font2', 'Font3'])
    expect(sets[1]!.glyphs).toEqual(parseFontHeader(header)[1]!.glyphs)
    const one = parseCharacterSetFile(
      'drawn.json',
      JSON.stringify({
        glyphs: [
          { char: 'x', rows: [0x11, 0x0a, 0x04, 0, 0, 0, 0] },
          { char: 'y', pixels: Array.from({ length: 35 }, (_, i) => (i < 5 ? 1 : 0)) }
        ]
      })
    )
    expect(one).toEqual([
      {
        name: 'drawn',
        grid: { rows: 7, cols: 5 },
        glyphs: [
          { char: 'x', code: 120, pixels: rowsToPixels([0x11, 0x0a, 0x04, 0, 0, 0, 0]) },
          { char: 'y', code: 121, pixels: rowsToPixels([0x1f, 0, 0, 0, 0, 0, 0]) }
        ]
      }
    ])
    expect(() =>
      parseCharacterSetFile('bad.json', '{"glyphs": [{"char": "x", "rows": [1, 2]}]}')
    ).toThrow(/bad\.json: not a glyph file: glyphs\.0\.rows/)
    expect(() =>
      parseCharacterSetFile(
        'dup.json',
        '{"glyphs": [{"char": "x", "rows": [1,1,1,1,1,1,1]}, {"char": "x", "rows": [2,2,2,2,2,2,2]}]}'
      )
    ).toThrow('dup.json glyphs.1: dup glyph 1 is labelled "x" like glyph 0 (glyphs.0)')
    expect(() => parseCharacterSetFile('notes.h', 'hello')).toThrow(/notes\.h: no glyph array/)
  })

  it('names imported sets so that none shadows another', () => {
    const sets = nameImportedSets(parseFontHeader(header), 'font.h', ['Font1', 'Font2', 'Font3'])
    expect(sets.map((s) => s.name)).toEqual(['Font1 (font.h)', 'Font2 (font.h)', 'Font3 (font.h)'])
    const again = nameImportedSets(parseFontHeader(header), 'font.h', [
      'Font1',
      ...sets.map((s) => s.name)
    ])
    expect(again[0]!.name).toBe('Font1 (font.h) 2')
    expect(again[1]!.name).toBe('Font2')
    for (const set of sets) expect(characterSetSchema.safeParse(set).success).toBe(true)
  })

  it('explains what is wrong with a bad header', () => {
    expect(() => parseFontHeader('nothing here')).toThrow(/no glyph array/)
    expect(() => parseFontHeader('int const F[2][7] = {\n {0,0,0,0,0,0,0}\n};')).toThrow(
      /declared 2 glyphs, found 1/
    )
    expect(() => parseFontHeader('int const F[1][7] = {\n {0,0,0,0,0,0,0x20}\n};')).toThrow(
      /does not fit in 5 bits/
    )
    expect(() => parseFontHeader('int const F[1][7] = {\n {0,0,0,0,0,0}\n};')).toThrow(/7 rows/)
    expect(() =>
      parseFontHeader('int const F[1][8] = {\n {0,0,0,0,0,0,0,0}\n};', 'f.h', { rows: 7 })
    ).toThrow(/f\.h line 1: F: glyphs must have 7 rows, found \[8\]/)
    expect(() => parseFontHeader('int const F[1][7] = {\n {0,0,0,0,zz,0,0}\n')).toThrow(
      /not closed/
    )
  })

  it('converts between rows and pixels both ways', () => {
    const rows = [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e]
    expect(pixelsToRows(rowsToPixels(rows))).toEqual(rows)
  })
})
