import { z } from 'zod'
import { experimentSchema } from './experiments'
import {
  backendNameSchema,
  runIdSchema,
  trainingDoneSchema,
  trainingProgressSchema,
  vaeBatchProgressSchema,
  vaeDoneSchema,
  vaeProgressSchema
} from './schemas'

// The run protocol: one way to start, pause, resume and stop a run of any model kind, and
// three events, each tagged with the run's id and kind. What differs by kind (the progress a
// run reports, the result it ends with) is a discriminated union on `kind`, validated by zod
// wherever it crosses a boundary: worker to host, host to renderer.

export const experimentKindSchema = z.enum(experimentSchema.options.map((o) => o.shape.kind.value))

const kindOf = <K extends string>(kind: K) => ({ kind: z.literal(kind) })

/** A glyph run's progress: loss points since the last event, the worst glyph, the speed. */
const glyphProgress = <K extends string>(kind: K) => trainingProgressSchema.extend(kindOf(kind))
/** A VAE reports each finished epoch (`at: 'epoch'`), and within an epoch (`at: 'batch'`). */
const vaeProgress = z.discriminatedUnion('at', [
  vaeProgressSchema.extend({ ...kindOf('vae'), at: z.literal('epoch') }),
  vaeBatchProgressSchema.extend({ ...kindOf('vae'), at: z.literal('batch') })
])

/** A conditional VAE reports as the VAE does. */
const cvaeProgress = z.discriminatedUnion('at', [
  vaeProgressSchema.extend({ ...kindOf('cvae'), at: z.literal('epoch') }),
  vaeBatchProgressSchema.extend({ ...kindOf('cvae'), at: z.literal('batch') })
])

/** A convolutional VAE reports as the VAE does. */
const convVaeProgress = z.discriminatedUnion('at', [
  vaeProgressSchema.extend({ ...kindOf('conv-vae'), at: z.literal('epoch') }),
  vaeBatchProgressSchema.extend({ ...kindOf('conv-vae'), at: z.literal('batch') })
])

/** Live progress of the run in training (at most about ten a second). */
export const runProgressSchema = z.discriminatedUnion('kind', [
  glyphProgress('autoencoder'),
  glyphProgress('denoising'),
  glyphProgress('linear'),
  vaeProgress,
  cvaeProgress,
  convVaeProgress
])
export type RunProgress = z.output<typeof runProgressSchema>

/** A run ended: completed, solved, stopped or diverged, with its kind's results. */
export const runDoneSchema = z.discriminatedUnion('kind', [
  trainingDoneSchema.extend(kindOf('autoencoder')),
  trainingDoneSchema.extend(kindOf('denoising')),
  trainingDoneSchema.extend(kindOf('linear')),
  vaeDoneSchema.extend(kindOf('vae')),
  vaeDoneSchema.extend(kindOf('cvae')),
  vaeDoneSchema.extend(kindOf('conv-vae'))
])
export type RunDone = z.output<typeof runDoneSchema>

/** A run could not train (its data is missing, its worker died, ...): the message says why. */
export const runFailedSchema = z.object({
  runId: runIdSchema,
  kind: experimentKindSchema,
  message: z.string(),
  backend: backendNameSchema.optional()
})
export type RunFailed = z.output<typeof runFailedSchema>

/** The reply to `startRun`. */
export const runStartedSchema = z.object({ runId: runIdSchema, kind: experimentKindSchema })
