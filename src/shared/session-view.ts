import { z } from 'zod'
import { MAX_GLYPH_PIXELS } from './glyphs'
import { runIdSchema } from './runs'
import { noiseSchema } from './training-options'
import { MAX_VAE_LATENT } from './vae'

// What a session keeps besides its runs: the view it reopens on, and its file name.

/** What the user was looking at, saved with the session so it reopens as it was. */
export const sessionViewSchema = z.object({
  lab: z.enum(['letters', 'denoising', 'vae']).default('letters'),
  selectedRunId: runIdSchema.nullable().default(null),
  compared: z.array(runIdSchema).max(500).default([]),
  letters: z
    .object({
      gridSize: z.number().int().min(2).max(30).default(12),
      dims: z
        .tuple([z.number().int().min(0).max(15), z.number().int().min(0).max(15)])
        .default([0, 1]),
      probe: z.array(z.number().finite()).max(16).nullable().default(null),
      interpolation: z
        .object({
          from: z.number().int().min(0).max(255),
          to: z.number().int().min(0).max(255),
          steps: z.number().int().min(2).max(30)
        })
        .default({ from: 1, to: 2, steps: 8 }),
      /** The pixel editor's drawing, on the set's grid (none when the editor is empty). */
      drawing: z
        .array(z.number().min(0).max(1))
        .min(1)
        .max(MAX_GLYPH_PIXELS)
        .nullable()
        .default(null)
    })
    .default({
      gridSize: 12,
      dims: [0, 1],
      probe: null,
      interpolation: { from: 1, to: 2, steps: 8 },
      drawing: null
    }),
  noise: noiseSchema.nullable().default(null),
  vae: z
    .object({
      runId: runIdSchema.nullable().default(null),
      gridSize: z.number().int().min(2).max(30).default(15),
      spacing: z.enum(['even', 'normal']).default('normal'),
      waypoints: z.array(z.array(z.number().finite()).max(MAX_VAE_LATENT)).max(50).default([]),
      pathSteps: z.number().int().min(2).max(20).default(6),
      probe: z.array(z.number().finite()).max(MAX_VAE_LATENT).nullable().default(null)
    })
    .default({
      runId: null,
      gridSize: 15,
      spacing: 'normal',
      waypoints: [],
      pathSteps: 6,
      probe: null
    })
})
export type SessionView = z.output<typeof sessionViewSchema>
export type SessionViewInput = z.input<typeof sessionViewSchema>

/** A workspace file name: letters, digits, space, dot, dash, underscore; no folders. */
export const sessionNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[\w][\w .-]*$/, 'use letters, digits, spaces, dots, dashes and underscores only')
