import { z } from 'zod'
import { experimentSchema } from '../shared/experiments'
import { runDoneSchema, runProgressSchema } from '../shared/run-protocol'
import {
  backendNameSchema,
  decodeRequestSchema,
  decodeResultSchema,
  denoisingSummarySchema,
  encodeRequestSchema,
  encodeResultSchema,
  glyphResultSchema,
  runIdSchema,
  threadCountSchema,
  vaeTestSetResultSchema
} from '../shared/schemas'
import { networksSchema, sessionSummarySchema } from '../shared/session'
import { latentAnalysisSchema, projectionMethodSchema } from '../shared/latent-analysis'

// Messages between a host's training service and the training worker. They cross a thread
// boundary, so each side validates what it receives: the worker every request, the service
// every event and every reply (by the schema of the request it answers).

/** Control word shared with the worker (Int32Array over a SharedArrayBuffer, index 0). */
export const Control = { run: 0, pause: 1, stop: 2 } as const

const stageSchema = z.string().regex(/^[0-9a-f]{8,32}$/)
const id = z.number().int()

/** Requests that the worker answers, each with the schema of its reply. */
export const workerRequests = {
  decode: {
    request: z.object({ type: z.literal('decode'), id, request: decodeRequestSchema }),
    reply: decodeResultSchema
  },
  encode: {
    request: z.object({ type: z.literal('encode'), id, request: encodeRequestSchema }),
    reply: encodeResultSchema
  },
  testSet: {
    request: z.object({
      type: z.literal('testSet'),
      id,
      runId: runIdSchema,
      datasetsDir: z.string()
    }),
    reply: vaeTestSetResultSchema
  },
  analyze: {
    request: z.object({
      type: z.literal('analyze'),
      id,
      runId: runIdSchema,
      projection: projectionMethodSchema.nullable(),
      datasetsDir: z.string()
    }),
    reply: latentAnalysisSchema
  },
  exportModel: {
    request: z.object({ type: z.literal('exportModel'), id, runId: runIdSchema }),
    reply: z.object({ networks: networksSchema })
  },
  importModel: {
    request: z.object({
      type: z.literal('importModel'),
      id,
      runId: runIdSchema,
      experiment: experimentSchema,
      networks: networksSchema,
      /** Where the data sets are, to recompute a glyph run's results (runs saved without them). */
      resultsFrom: z.string().optional(),
      /** The load this model belongs to: held apart until `commitImport` of the same stage. */
      stage: stageSchema
    }),
    reply: z.object({
      imported: z.literal(true),
      /** A run's recomputed results, when asked for. */
      results: z
        .object({
          glyphs: z.array(glyphResultSchema).max(256).nullable(),
          denoising: denoisingSummarySchema.nullable()
        })
        .nullable()
    })
  },
  /** Every run of a load has been staged: make them the runs' models. */
  commitImport: {
    request: z.object({ type: z.literal('commitImport'), id, stage: stageSchema }),
    reply: z.object({ staged: z.literal(true) })
  },
  /** A load was refused: drop what it staged. */
  abortImport: {
    request: z.object({ type: z.literal('abortImport'), id, stage: stageSchema }),
    reply: z.object({ staged: z.literal(true) })
  }
} as const
export type WorkerRequestType = keyof typeof workerRequests
export type WorkerRequest<T extends WorkerRequestType = WorkerRequestType> = z.output<
  (typeof workerRequests)[T]['request']
>
export type WorkerReply<T extends WorkerRequestType> = z.output<(typeof workerRequests)[T]['reply']>

const startSchema = z.object({
  type: z.literal('start'),
  runId: runIdSchema,
  experiment: experimentSchema,
  datasetsDir: z.string()
})

const r = workerRequests
export const toWorkerSchema = z.discriminatedUnion('type', [
  startSchema,
  r.decode.request,
  r.encode.request,
  r.testSet.request,
  r.analyze.request,
  r.exportModel.request,
  r.importModel.request,
  r.commitImport.request,
  r.abortImport.request
])
export type ToWorker = z.output<typeof toWorkerSchema>

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    backend: backendNameSchema,
    note: z.string(),
    tfjs: z.string()
  }),
  z.object({ type: z.literal('progress'), progress: runProgressSchema }),
  /** A run ended: its event, and its record for the session (without the weights). */
  z.object({ type: z.literal('done'), done: runDoneSchema, record: sessionSummarySchema }),
  /** A run could not train: the one failure message of the worker. */
  z.object({ type: z.literal('failed'), runId: runIdSchema, message: z.string() }),
  /** The weights of a run still training, sent now and then so a crash loses little. */
  z.object({
    type: z.literal('checkpoint'),
    runId: runIdSchema,
    networks: networksSchema,
    record: sessionSummarySchema
  }),
  /** A request's answer, checked against its request's reply schema by the receiver. */
  z.object({ type: z.literal('inferred'), id, result: z.unknown() }),
  z.object({ type: z.literal('inferFailed'), id, message: z.string() })
])
export type FromWorker = z.output<typeof fromWorkerSchema>

export const workerDataSchema = z.object({
  control: z.instanceof(SharedArrayBuffer),
  /** Seconds between checkpoints of a run in progress. */
  checkpointSeconds: z.number().positive().default(15),
  preferredBackend: backendNameSchema.optional(),
  threads: threadCountSchema.optional(),
  /** The workspace's imported data sets (`<workspace>/datasets`), which VAE runs may train on. */
  importedDatasets: z.string().nullable().default(null)
})
export type WorkerData = z.input<typeof workerDataSchema>
