import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFontHeader, parseFontsJson, pixelsToRows, rowsToPixels } from '../src/ml/data/fonts'
import { loadFonts } from '../src/services/datasets'
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

  it('takes codes from the comments, or counts from 0x20 without them', () => {
    const [font] = parseFontHeader(
      'int const Mine[2][7] = {\n {0x1f,0,0,0,0,0,0},\n {0,0,0,0,0,0,0x1f}\n};'
    )
    expect(font!.name).toBe('Mine')
    expect(font!.glyphs.map((g) => g.char)).toEqual([' ', '!'])
    expect(font!.glyphs[0]!.pixels.slice(0, 5)).toEqual([1, 1, 1, 1, 1])
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
    expect(() => parseFontHeader('int const F[1][8] = {\n {0,0,0,0,0,0,0,0}\n};')).toThrow(
      /must have 7 rows/
    )
    expect(() => parseFontHeader('int const F[1][7] = {\n {0,0,0,0,zz,0,0}\n')).toThrow(
      /not closed/
    )
  })

  it('converts between rows and pixels both ways', () => {
    const rows = [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e]
    expect(pixelsToRows(rowsToPixels(rows))).toEqual(rows)
  })
})
