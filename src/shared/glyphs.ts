import { z } from 'zod'

// Glyphs (binary patterns on a grid of rows x columns) and the character sets made of them. The
// course's are 7x5; other courses use 5x7, 8x8 or 16x16 bitmap fonts, so a set carries its grid.

export const GLYPH_ROWS = 7
export const GLYPH_COLS = 5
export const GLYPH_PIXELS = GLYPH_ROWS * GLYPH_COLS
/** The largest grid side a glyph may have, and so the most pixels a glyph may have. */
export const MAX_GRID_SIDE = 16
export const MAX_GLYPH_PIXELS = MAX_GRID_SIDE * MAX_GRID_SIDE

/** A glyph grid: rows and columns of pixels, 1 to 16 each. */
export const glyphGridSchema = z.strictObject({
  rows: z.number().int().min(1).max(MAX_GRID_SIDE),
  cols: z.number().int().min(1).max(MAX_GRID_SIDE)
})
export type GlyphGrid = z.infer<typeof glyphGridSchema>

/** The course's grid, which every set without a grid of its own has. */
export const DEFAULT_GRID: GlyphGrid = Object.freeze({ rows: GLYPH_ROWS, cols: GLYPH_COLS })
export const gridPixels = (grid: GlyphGrid): number => grid.rows * grid.cols
/** A set's or a run's grid: its own, else the course's 7x5. */
export const gridOf = (holder: { grid?: GlyphGrid | undefined }): GlyphGrid =>
  holder.grid ?? DEFAULT_GRID
export const gridLabel = (grid: GlyphGrid): string => `${grid.rows}x${grid.cols}`

/**
 * The grid of a glyph of `pixels` values: `known` when its pixel count matches, else the course's
 * 7x5 for 35, a square for a square count, else rows of 5 (a guess that still draws every pixel).
 */
export function gridForPixels(pixels: number, known?: GlyphGrid | null): GlyphGrid {
  if (known && gridPixels(known) === pixels) return known
  if (pixels === gridPixels(DEFAULT_GRID)) return DEFAULT_GRID
  const side = Math.round(Math.sqrt(pixels))
  if (side * side === pixels) return { rows: side, cols: side }
  return { rows: Math.ceil(pixels / DEFAULT_GRID.cols), cols: DEFAULT_GRID.cols }
}

/**
 * How much to shrink a grid's cells so the glyph fits the box a 7x5 glyph takes (never grown):
 * a 16x16 glyph is drawn as tall as 5 of a 7x5 glyph's cells, not 16.
 */
export const gridScale = (grid: GlyphGrid): number =>
  Math.min(1, DEFAULT_GRID.rows / grid.rows, DEFAULT_GRID.cols / grid.cols)

export const fontNameSchema = z.enum(['Font1', 'Font2', 'Font3'])
export type FontName = z.infer<typeof fontNameSchema>

/** A glyph's pixels, row-major; how many is its set's grid's business (`checkGlyphGrid`). */
export const pixelsSchema = z.array(z.number().min(0).max(1)).min(1).max(MAX_GLYPH_PIXELS)

export const glyphSchema = z.object({
  char: z.string().min(1).max(4),
  code: z.number().int().min(0).max(0x10ffff),
  pixels: pixelsSchema
})
export type Glyph = z.infer<typeof glyphSchema>

/**
 * Adds an issue for every glyph whose pixel count is not its grid's, naming the glyph: the one
 * check, used by every schema that holds glyphs with a grid (sets, experiments, fonts).
 */
export function checkGlyphGrid(
  glyphs: readonly { char: string; pixels: readonly number[] }[] | undefined,
  grid: GlyphGrid,
  ctx: z.RefinementCtx,
  path: (string | number)[] = ['glyphs']
): void {
  const want = gridPixels(grid)
  glyphs?.forEach((g, i) => {
    if (g.pixels.length !== want)
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'pixels'],
        message: `glyph ${i} ("${g.char}") has ${g.pixels.length} pixels; its set's ${gridLabel(grid)} grid needs ${want}`
      })
  })
}

export const fontSchema = z
  .object({
    name: fontNameSchema,
    description: z.string(),
    glyphs: z.array(glyphSchema).min(1).max(256)
  })
  // The lab's own sets are the course's 7x5.
  .superRefine((font, ctx) => checkGlyphGrid(font.glyphs, DEFAULT_GRID, ctx))
export type Font = z.infer<typeof fontSchema>
