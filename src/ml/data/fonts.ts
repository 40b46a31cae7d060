import { z } from 'zod'
import { GLYPH_ROWS, fontNameSchema, type Font, type Glyph } from '../../shared/schemas'
import { rowsToPixels } from '../../shared/character-sets'

// The lab's own character sets (resources/datasets/fonts.json). The readers for files users
// bring (the course's font.h, glyph JSON) are shared with the renderer: src/shared/character-sets.ts.
export {
  charForCode,
  parseCharacterSetFile,
  parseFontHeader,
  pixelsToRows,
  rowsToPixels,
  type HeaderFont
} from '../../shared/character-sets'

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
