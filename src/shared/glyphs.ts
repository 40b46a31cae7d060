import { z } from 'zod'

// The course's glyphs: 7x5 binary patterns, and the character sets made of them.

export const GLYPH_ROWS = 7
export const GLYPH_COLS = 5
export const GLYPH_PIXELS = GLYPH_ROWS * GLYPH_COLS

export const fontNameSchema = z.enum(['Font1', 'Font2', 'Font3'])
export type FontName = z.infer<typeof fontNameSchema>

export const pixelsSchema = z.array(z.number().min(0).max(1)).length(GLYPH_PIXELS)

export const glyphSchema = z.object({
  char: z.string().min(1).max(4),
  code: z.number().int().min(0).max(0x10ffff),
  pixels: pixelsSchema
})
export type Glyph = z.infer<typeof glyphSchema>

export const fontSchema = z.object({
  name: fontNameSchema,
  description: z.string(),
  glyphs: z.array(glyphSchema).min(1).max(256)
})
export type Font = z.infer<typeof fontSchema>
