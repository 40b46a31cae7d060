import { z } from 'zod'

// Data shapes shared by every process. Each one is validated where it crosses a boundary.

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

export const backendNameSchema = z.enum(['tensorflow', 'wasm', 'cpu'])
export type BackendName = z.infer<typeof backendNameSchema>

export const activationSchema = z.enum(['tanh', 'relu', 'elu', 'sigmoid', 'linear'])
export type Activation = z.infer<typeof activationSchema>

const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

/** A letters-autoencoder run: the architecture, the optimiser settings and the stop rule. */
export const letterTrainConfigSchema = z.strictObject({
  font: fontNameSchema,
  hidden: z.array(z.number().int().min(1).max(512)).min(0).max(6),
  latent: z.number().int().min(1).max(16),
  activation: activationSchema,
  learningRate: z.number().positive().max(1),
  epochs: z.number().int().min(1).max(1_000_000),
  /** Stop early once every glyph has at most this many wrong pixels (output thresholded at 0.5). */
  maxWrongPixels: z.number().int().min(0).max(GLYPH_PIXELS).nullable(),
  seed: seedSchema
})
export type LetterTrainConfig = z.infer<typeof letterTrainConfigSchema>

export const defaultLetterConfig: LetterTrainConfig = {
  font: 'Font2',
  hidden: [25, 15, 10],
  latent: 2,
  activation: 'tanh',
  learningRate: 0.003,
  epochs: 5000,
  maxWrongPixels: 1,
  seed: 1
}

export const runIdSchema = z.string().regex(/^run-[0-9a-z-]{1,40}$/)

export const lossPointSchema = z.tuple([z.number().int().min(0), z.number()])

export const trainingProgressSchema = z.object({
  runId: runIdSchema,
  epoch: z.number().int().min(0),
  /** Loss points [epoch, loss] since the previous progress event, so the full curve is kept. */
  points: z.array(lossPointSchema),
  maxWrongPixels: z.number().int().min(0),
  epochsPerSecond: z.number().min(0),
  elapsedSeconds: z.number().min(0),
  paused: z.boolean()
})
export type TrainingProgress = z.infer<typeof trainingProgressSchema>

export const glyphResultSchema = z.object({
  char: z.string(),
  latent: z.array(z.number()),
  reconstruction: z.array(z.number()).length(GLYPH_PIXELS),
  wrongPixels: z.number().int().min(0).max(GLYPH_PIXELS)
})
export type GlyphResult = z.infer<typeof glyphResultSchema>

export const runStatusSchema = z.enum(['completed', 'solved', 'stopped', 'diverged', 'failed'])
export type RunStatus = z.infer<typeof runStatusSchema>

export const trainingDoneSchema = z.object({
  runId: runIdSchema,
  status: runStatusSchema,
  message: z.string(),
  backend: backendNameSchema,
  epochs: z.number().int().min(0),
  seconds: z.number().min(0),
  finalLoss: z.number().nullable(),
  glyphs: z.array(glyphResultSchema)
})
export type TrainingDone = z.infer<typeof trainingDoneSchema>

export const labInfoSchema = z.object({
  host: z.enum(['electron', 'browser']),
  backend: backendNameSchema,
  backendNote: z.string(),
  versions: z.record(z.string(), z.string())
})
export type LabInfo = z.infer<typeof labInfoSchema>

export const datasetSummarySchema = z.object({
  id: z.enum(['mnist', 'fashion-mnist']),
  available: z.boolean(),
  train: z.number().int().min(0),
  test: z.number().int().min(0),
  classNames: z.array(z.string()).length(10),
  message: z.string()
})
export type DatasetSummary = z.infer<typeof datasetSummarySchema>
