import { z } from 'zod'
import {
  backendNameSchema,
  threadCountSchema,
  glyphSchema,
  glyphResultSchema,
  denoisingSummarySchema,
  letterTrainConfigSchema,
  runIdSchema,
  trainingDoneSchema,
  trainingProgressSchema,
  decodeRequestSchema,
  decodeResultSchema,
  encodeRequestSchema,
  encodeResultSchema,
  vaeTrainConfigSchema,
  vaeProgressSchema,
  vaeBatchProgressSchema,
  vaeDoneSchema,
  vaeTestSetResultSchema,
  experimentSchema
} from '../shared/schemas'
import { networksSchema } from './session-file'

// Messages between a host's training service and the training worker. They cross a thread
// boundary, so both sides validate what they receive.

/** Control word shared with the worker (Int32Array over a SharedArrayBuffer, index 0). */
export const Control = { run: 0, pause: 1, stop: 2 } as const

const stageSchema = z.string().regex(/^[0-9a-f]{8,32}$/)

export const toWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('decode'), id: z.number().int(), request: decodeRequestSchema }),
  z.object({
    type: z.literal('testSet'),
    id: z.number().int(),
    runId: runIdSchema,
    datasetsDir: z.string()
  }),
  z.object({ type: z.literal('exportModel'), id: z.number().int(), runId: runIdSchema }),
  z.object({
    type: z.literal('importModel'),
    id: z.number().int(),
    runId: runIdSchema,
    experiment: experimentSchema,
    networks: networksSchema,
    /** Where the fonts are, to recompute a glyph run's results (for runs saved without them). */
    resultsFrom: z.string().optional(),
    /** The load this model belongs to: held apart until `commitImport` of the same stage. */
    stage: stageSchema
  }),
  /** Every run of a load has been staged: make them the runs' models. */
  z.object({ type: z.literal('commitImport'), id: z.number().int(), stage: stageSchema }),
  /** A load was refused: drop what it staged. */
  z.object({ type: z.literal('abortImport'), id: z.number().int(), stage: stageSchema }),
  z.object({
    type: z.literal('startVae'),
    runId: runIdSchema,
    config: vaeTrainConfigSchema,
    datasetsDir: z.string()
  }),
  z.object({ type: z.literal('encode'), id: z.number().int(), request: encodeRequestSchema }),
  z.object({
    type: z.literal('start'),
    runId: runIdSchema,
    config: letterTrainConfigSchema,
    glyphs: z.array(glyphSchema).min(1)
  })
])
export type ToWorker = z.infer<typeof toWorkerSchema>

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    backend: backendNameSchema,
    note: z.string(),
    tfjs: z.string()
  }),
  z.object({ type: z.literal('progress'), progress: trainingProgressSchema }),
  z.object({ type: z.literal('done'), done: trainingDoneSchema }),
  z.object({ type: z.literal('vaeProgress'), progress: vaeProgressSchema }),
  z.object({ type: z.literal('vaeBatch'), progress: vaeBatchProgressSchema }),
  z.object({ type: z.literal('vaeDone'), done: vaeDoneSchema }),
  /** The weights of a run still training, sent now and then so a crash loses little. */
  z.object({ type: z.literal('checkpoint'), runId: runIdSchema, networks: networksSchema }),
  z.object({
    type: z.literal('inferred'),
    id: z.number().int(),
    result: z.union([
      decodeResultSchema,
      encodeResultSchema,
      vaeTestSetResultSchema,
      z.object({ networks: networksSchema }),
      z.object({ staged: z.literal(true) }),
      z.object({
        imported: z.literal(true),
        /** A glyph run's recomputed results, when asked for. */
        results: z
          .object({
            glyphs: z.array(glyphResultSchema).max(256),
            denoising: denoisingSummarySchema.nullable()
          })
          .nullable()
      })
    ])
  }),
  z.object({ type: z.literal('inferFailed'), id: z.number().int(), message: z.string() })
])
export type FromWorker = z.infer<typeof fromWorkerSchema>

export const workerDataSchema = z.object({
  control: z.instanceof(SharedArrayBuffer),
  /** Seconds between checkpoints of a run in progress. */
  checkpointSeconds: z.number().positive().default(15),
  preferredBackend: backendNameSchema.optional(),
  threads: threadCountSchema.optional()
})
export type WorkerData = z.infer<typeof workerDataSchema>
