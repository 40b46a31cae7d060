import { z } from 'zod'
import { MAX_GLYPH_PIXELS } from './glyphs'
import { MAX_IMAGE_VALUES, isImageLength } from './image-datasets'
import { runIdSchema } from './runs'
import { MAX_VAE_LATENT } from './vae'

// Exploring a trained model: decode latent points, encode patterns (any kind, any size).

/** A latent point of any model the lab trains (a VAE's latent is the widest). */
const latentPointSchema = z.array(z.number().finite().min(-1e6).max(1e6)).min(1).max(MAX_VAE_LATENT)

/** Class indices of a conditional model (a label is one byte: at most 256 classes). */
const classLabelsSchema = z
  .array(z.number().int('a class is a whole number').min(0, 'a class is 0 or more').max(255))
  .min(1)
  .max(4096)

/** Decode latent points with a trained letters run's decoder. */
export const decodeRequestSchema = z
  .strictObject({
    runId: runIdSchema,
    points: z.array(latentPointSchema).min(1).max(4096),
    /** A conditional VAE's classes: one per point, or one for all (the worker checks the range). */
    labels: classLabelsSchema.optional()
  })
  .refine(
    (r) => r.labels === undefined || r.labels.length === 1 || r.labels.length === r.points.length,
    { message: 'give one class per latent point, or one for all', path: ['labels'] }
  )
export type DecodeRequest = z.infer<typeof decodeRequestSchema>

/**
 * A pattern for a model's input, values in [0, 1]: a glyph (35 pixels for 7x5, at most 16x16), or a square image of 1
 * or 3 channels (784 for MNIST; a convolutional VAE's data set may have any size).
 */
const anyPatternSchema = z
  .array(z.number().min(0).max(1))
  .max(MAX_IMAGE_VALUES)
  .refine(
    (p) => (p.length > 0 && p.length <= MAX_GLYPH_PIXELS) || isImageLength(p.length),
    "a pattern has a glyph's values (at most 16x16) or those of a square grey or RGB image (784 for 28x28 grey)"
  )

/** Encode (and reconstruct) patterns with a trained run; the worker checks the size against the model. */
export const encodeRequestSchema = z
  .strictObject({
    runId: runIdSchema,
    patterns: z.array(anyPatternSchema).min(1).max(1024),
    /** A conditional VAE's classes: one per pattern, or one for all. */
    labels: classLabelsSchema.optional()
  })
  .refine(
    (r) => r.labels === undefined || r.labels.length === 1 || r.labels.length === r.patterns.length,
    { message: 'give one class per pattern, or one for all', path: ['labels'] }
  )
export type EncodeRequest = z.infer<typeof encodeRequestSchema>

export const decodeResultSchema = z.object({ patterns: z.array(anyPatternSchema) })
export const encodeResultSchema = z.object({
  points: z.array(z.array(z.number())),
  reconstructions: z.array(anyPatternSchema)
})
export type DecodeResult = z.infer<typeof decodeResultSchema>
export type EncodeResult = z.infer<typeof encodeResultSchema>
