import { z } from 'zod'
import {
  DEFAULT_GRID,
  MAX_GLYPH_PIXELS,
  checkGlyphGrid,
  fontNameSchema,
  glyphGridSchema,
  gridLabel,
  gridOf,
  gridPixels,
  glyphSchema,
  type GlyphGrid
} from './glyphs'
import {
  activationSchema,
  noiseSchema,
  optimizerSchema,
  scheduleSchema,
  seedSchema
} from './training-options'

// A glyph network's recipe (the letters and denoising autoencoders), and the lab's default one.

/** A letters-autoencoder run: the architecture, the optimiser settings and the stop rule. */
export const letterTrainFields = z.strictObject({
  /** One of the lab's character sets; not needed when `glyphs` is given. */
  font: fontNameSchema.optional(),
  /** Glyphs to train on instead of a lab character set: drawn in the editor, or imported. */
  glyphs: z.array(glyphSchema).min(1).max(256).optional(),
  /** The grid of the glyphs in `glyphs` (7x5 when absent, as the lab's own sets). */
  grid: glyphGridSchema.optional(),
  /** The name of the set in `glyphs` (e.g. "Font1 (font.h)"): runs are labelled with it. */
  fontName: z.string().trim().min(1).max(80).optional(),
  /** Indices of the glyphs to train on; all of them when absent. */
  subset: z.array(z.number().int().min(0).max(255)).min(1).max(256).optional(),
  hidden: z.array(z.number().int().min(1).max(512)).min(0).max(6),
  /** Decoder hidden layers; the encoder's, mirrored, when absent. */
  decoderHidden: z.array(z.number().int().min(1).max(512)).max(6).optional(),
  latent: z.number().int().min(1).max(16),
  activation: activationSchema,
  latentActivation: activationSchema.default('linear'),
  decoderActivation: activationSchema.optional(),
  optimizer: optimizerSchema.default({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
  learningRate: z.number().positive().max(10),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  epochs: z.number().int().min(1).max(1_000_000),
  /**
   * Stop early once every glyph has at most this many wrong pixels (output thresholded at 0.5);
   * at most the grid's pixel count (`checkRunGrid`).
   */
  maxWrongPixels: z.number().int().min(0).max(MAX_GLYPH_PIXELS).nullable(),
  seed: seedSchema,
  /** Train as a denoising autoencoder on inputs corrupted this way. */
  noise: noiseSchema.nullable().default(null)
})
/** A glyph run names what it trains on: a lab character set, or its own glyphs. */
export const needsGlyphs = {
  message: 'give "font" (Font1, Font2 or Font3), "glyphs" or "fontFile"',
  path: ['font'],
  // Checked alongside the other fields, so that every missing field is reported at once.
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null
}
export const hasGlyphs = (c: { font?: unknown; glyphs?: unknown }): boolean =>
  c.font !== undefined || c.glyphs !== undefined
/**
 * A glyph run's grid agrees with what it trains on: the lab's sets (`font`) are 7x5, its own
 * glyphs each have the grid's pixel count (the message names the glyph), and the stop rule's
 * wrong pixels are at most the grid's pixel count.
 */
export function checkRunGrid(
  c: {
    font?: unknown
    glyphs?: readonly { char: string; pixels: readonly number[] }[] | undefined
    grid?: GlyphGrid | undefined
    maxWrongPixels: number | null
  },
  ctx: z.RefinementCtx
): void {
  const grid = gridOf(c)
  if (c.glyphs) checkGlyphGrid(c.glyphs, grid, ctx)
  else if (c.font !== undefined && gridPixels(grid) !== gridPixels(DEFAULT_GRID))
    ctx.addIssue({
      code: 'custom',
      path: ['grid'],
      message: `the lab's character sets are ${gridLabel(DEFAULT_GRID)}; a ${gridLabel(grid)} grid needs its own "glyphs"`
    })
  if (c.maxWrongPixels !== null && c.maxWrongPixels > gridPixels(grid))
    ctx.addIssue({
      code: 'custom',
      path: ['maxWrongPixels'],
      message: `at most ${gridPixels(grid)}, the pixels of a ${gridLabel(grid)} glyph`
    })
}
export const letterTrainConfigSchema = letterTrainFields
  .refine(hasGlyphs, needsGlyphs)
  .superRefine(checkRunGrid)
export type LetterTrainConfig = z.output<typeof letterTrainConfigSchema>
export type LetterTrainInput = z.input<typeof letterTrainConfigSchema>

/**
 * The default letters recipe, chosen by measuring time to "every glyph within 1 wrong pixel"
 * over 3 fonts x 5 seeds: wider and shallower than the course's 25-15-10, it solves in about
 * 130 epochs instead of about 900, with fewer ops per epoch (README, Benchmarks).
 */
export const defaultLetterConfig: LetterTrainConfig = {
  font: 'Font2',
  hidden: [64, 32],
  latent: 2,
  activation: 'tanh',
  latentActivation: 'linear',
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  learningRate: 0.02,
  schedule: { kind: 'constant' },
  epochs: 5000,
  maxWrongPixels: 1,
  seed: 1,
  noise: null
}
