import { z } from 'zod'
import { MAX_GLYPH_PIXELS } from './glyphs'
import { runMetricsSchema } from './latent-analysis'
import { runIdSchema, runStatusSchema } from './runs'
import { backendNameSchema } from './training-options'

// A glyph network's run as it reaches the page: progress (loss points), and its end with each
// glyph's result and, for a denoising autoencoder, how well it denoises.

export const lossPointSchema = z.tuple([z.number().int().min(0), z.number()])

export const trainingProgressSchema = z.object({
  runId: runIdSchema,
  epoch: z.number().int().min(0),
  /** Loss points [epoch, loss] since the previous progress event, so the full curve is kept. */
  points: z.array(lossPointSchema),
  maxWrongPixels: z.number().int().min(0),
  epochsPerSecond: z.number().min(0),
  elapsedSeconds: z.number().min(0),
  paused: z.boolean(),
  /** A long epoch in progress (epoch + 1): how many of its slices are done. */
  within: z.object({ slice: z.number().int().min(1), slices: z.number().int().min(2) }).optional()
})
export type TrainingProgress = z.infer<typeof trainingProgressSchema>

export const glyphResultSchema = z.object({
  char: z.string(),
  latent: z.array(z.number()),
  /** The glyph as decoded, on its set's grid (35 values for 7x5). */
  reconstruction: z.array(z.number()).min(1).max(MAX_GLYPH_PIXELS),
  wrongPixels: z.number().int().min(0).max(MAX_GLYPH_PIXELS)
})
export type GlyphResult = z.infer<typeof glyphResultSchema>

const noiseEvaluationSchema = z.object({
  copies: z.number().int().min(1),
  /** Per pattern, mean wrong pixels of the noisy input and of the denoised output. */
  wrongBefore: z.array(z.number().min(0)),
  wrongAfter: z.array(z.number().min(0)),
  meanWrongBefore: z.number().min(0),
  meanWrongAfter: z.number().min(0),
  maxWrongAfter: z.number().min(0),
  /** Share of noisy inputs denoised with no wrong pixel. */
  exactShare: z.number().min(0).max(1)
})

/** How well a denoising autoencoder removes its kind of noise: on the training draw and on fresh noise. */
export const denoisingSummarySchema = z.object({
  trainNoise: noiseEvaluationSchema,
  freshNoise: noiseEvaluationSchema
})
export type DenoisingSummary = z.infer<typeof denoisingSummarySchema>

export const trainingDoneSchema = z.object({
  runId: runIdSchema,
  status: runStatusSchema,
  message: z.string(),
  backend: backendNameSchema,
  epochs: z.number().int().min(0),
  seconds: z.number().min(0),
  finalLoss: z.number().nullable(),
  glyphs: z.array(glyphResultSchema),
  denoising: denoisingSummarySchema.nullable(),
  /** The latent codes' metrics, measured as the run ended (absent: not measured). */
  metrics: runMetricsSchema.nullable().optional()
})
export type TrainingDone = z.infer<typeof trainingDoneSchema>
