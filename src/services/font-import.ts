import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import sharp from 'sharp'
import {
  parseCharacterSetFile,
  pixelsToRows,
  sliceGlyphSheet,
  type HeaderFont,
  type SheetOptions
} from '../shared/character-sets'

// Character sets from files on disk, for the command line (`lab import-font`, an experiment's
// `fontFile`): C headers and glyph JSON through the shared readers, PNG sprite sheets decoded by
// sharp and sliced by the shared slicer. Errors name the file.

export const isSheetFile = (path: string): boolean => /\.png$/i.test(path)

/** A PNG sprite sheet's luminance (transparent pixels count as white), decoded by sharp. */
async function decodeSheet(path: string): Promise<{
  width: number
  height: number
  luminance: Uint8Array
}> {
  try {
    const { data, info } = await sharp(path)
      .flatten({ background: '#ffffff' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 1) throw new Error(`${info.channels} channels after greyscale`)
    return { width: info.width, height: info.height, luminance: new Uint8Array(data) }
  } catch (error) {
    throw new Error(`${basename(path)}: not a readable PNG image (${(error as Error).message})`, {
      cause: error
    })
  }
}

/** Reads a `.h` header, glyph JSON or PNG sheet into character sets, each with its grid. */
export async function readCharacterSetFile(
  path: string,
  options: SheetOptions = {}
): Promise<HeaderFont[]> {
  const name = basename(path)
  if (isSheetFile(path)) return [sliceGlyphSheet(await decodeSheet(path), name, options)]
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`${name}: cannot read ${path}`)
  }
  const sets = parseCharacterSetFile(name, text, options)
  return options.name !== undefined && sets.length === 1
    ? [{ ...sets[0]!, name: options.name }]
    : sets
}

/** Character sets as the lab's glyph JSON (one integer per row), which the app imports. */
export function glyphJson(sets: readonly HeaderFont[]): string {
  const fonts = Object.fromEntries(
    sets.map((s) => [
      s.name,
      {
        grid: s.grid,
        glyphs: s.glyphs.map((g) => ({
          char: g.char,
          code: g.code,
          rows: pixelsToRows(g.pixels, s.grid)
        }))
      }
    ])
  )
  return `${JSON.stringify({ fonts }, null, 1)}\n`
}
