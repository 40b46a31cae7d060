import { z } from 'zod'
import {
  datasetSummarySchema,
  fontSchema,
  labInfoSchema,
  runIdSchema,
  decodeRequestSchema,
  decodeResultSchema,
  encodeRequestSchema,
  encodeResultSchema,
  vaeTestSetResultSchema,
  datasetImagesRequestSchema,
  datasetImagesResultSchema
} from './schemas'
import { experimentSchema } from './experiments'
import { runDoneSchema, runFailedSchema, runProgressSchema, runStartedSchema } from './run-protocol'
import { glyphSchema, sessionNameSchema, sessionViewSchema } from './schemas'
import { MAX_SESSION_BYTES, openedSessionSchema } from './session'
import { MAX_CHARACTER_SETS, characterSetSchema } from './character-sets'
import { reportRequestSchema, reportResultSchema } from './report'
import { latentAnalysisRequestSchema, latentAnalysisSchema } from './latent-analysis'
import {
  eventChannel,
  eventNames,
  requestChannel,
  requestNames,
  type EventName,
  type RequestName
} from './channels'
import {
  importDoneEventSchema,
  importFailedEventSchema,
  importIdSchema,
  importPreviewSchema,
  importProgressEventSchema,
  pickImportInputSchema,
  pickImportResultSchema,
  previewInputSchema,
  stageFilesInputSchema,
  stageFilesResultSchema,
  stagingIdSchema,
  startImportInputSchema
} from './import-api'

// The one contract between the renderer and a host. Every request and pushed event is named
// here and nowhere else; the Electron IPC handlers, the preload, the WebSocket host and the
// renderer's transports are all typed from these two maps.

const none = z.undefined()
/** A session in the workspace by name, or a file the user picked in a native dialog (by token). */
const sessionTargetSchema = z.union([
  z.strictObject({ name: sessionNameSchema }),
  z.strictObject({ token: z.string().regex(/^[0-9a-f]{32}$/) })
])
const runRef = z.strictObject({ runId: runIdSchema })
/** Optional: hosts and callers that predate imported sets leave it out (none). */
const characterSetsSchema = z.array(characterSetSchema).max(MAX_CHARACTER_SETS).optional()

export const requests = {
  getInfo: { input: none, output: labInfoSchema },
  listFonts: { input: none, output: z.array(fontSchema) },
  listDatasets: { input: none, output: z.array(datasetSummarySchema) },
  /** Starts a run of any model kind (one at a time); its events say how it goes. */
  startRun: { input: experimentSchema, output: runStartedSchema },
  stopRun: { input: runRef, output: z.object({ ok: z.boolean() }) },
  pauseRun: { input: runRef, output: z.object({ ok: z.boolean() }) },
  resumeRun: { input: runRef, output: z.object({ ok: z.boolean() }) },
  decodeLatent: { input: decodeRequestSchema, output: decodeResultSchema },
  encodePatterns: { input: encodeRequestSchema, output: encodeResultSchema },
  vaeTestSet: { input: runRef, output: vaeTestSetResultSchema },
  /** A trained run's metrics, PCA baseline and projection (src/shared/latent-analysis.ts). */
  latentAnalysis: { input: latentAnalysisRequestSchema, output: latentAnalysisSchema },
  datasetImages: { input: datasetImagesRequestSchema, output: datasetImagesResultSchema },
  listSessions: {
    input: none,
    output: z.array(z.object({ name: z.string(), modified: z.string(), bytes: z.number() }))
  },
  saveSession: {
    input: z.strictObject({
      target: sessionTargetSchema,
      runIds: z.array(runIdSchema).max(500),
      view: sessionViewSchema,
      customGlyphs: z.array(glyphSchema).max(256),
      characterSets: characterSetsSchema
    }),
    output: z.object({ name: z.string(), path: z.string() })
  },
  openSession: {
    input: z.strictObject({ target: sessionTargetSchema }),
    output: openedSessionSchema
  },
  importSession: {
    input: z.strictObject({
      fileName: z.string().max(255),
      text: z.string().max(MAX_SESSION_BYTES)
    }),
    output: openedSessionSchema
  },
  rememberView: {
    input: z.strictObject({
      view: sessionViewSchema,
      customGlyphs: z.array(glyphSchema).max(256),
      characterSets: characterSetsSchema
    }),
    output: z.object({ ok: z.boolean() })
  },
  recoveryInfo: {
    input: none,
    output: z.object({ savedAt: z.string(), runs: z.number() }).nullable()
  },
  recoverSession: { input: none, output: openedSessionSchema },
  discardRecovery: { input: none, output: z.object({ ok: z.boolean() }) },
  /** Electron only: a native open or save dialog; the chosen file comes back as a token. */
  pickSessionPath: {
    input: z.strictObject({
      mode: z.enum(['open', 'save']),
      suggestedName: z.string().max(80).optional()
    }),
    output: z.object({ token: z.string(), name: z.string() }).nullable()
  },
  /** Electron only: a native dialog choosing a folder or file to import (import-api.ts). */
  pickImportSource: { input: pickImportInputSchema, output: pickImportResultSchema },
  /** Files the page uploads for an import, into a staging folder of the host. */
  stageImportFiles: { input: stageFilesInputSchema, output: stageFilesResultSchema },
  discardStaging: {
    input: z.strictObject({ staging: stagingIdSchema }),
    output: z.object({ ok: z.boolean() })
  },
  /** Class counts, the split and a grid of sample images, before importing. */
  previewImport: { input: previewInputSchema, output: importPreviewSchema },
  /** Starts an import (off the page); importProgress, then importDone or importFailed. */
  startImport: {
    input: startImportInputSchema,
    output: z.object({ importId: importIdSchema })
  },
  cancelImport: {
    input: z.strictObject({ importId: importIdSchema }),
    output: z.object({ ok: z.boolean() })
  },
  /** The report of some of the session's runs (HTML, or PDF as base64), to save as a file. */
  exportReport: { input: reportRequestSchema, output: reportResultSchema }
} as const satisfies Record<RequestName, { input: z.ZodType; output: z.ZodType }>

export const events = {
  runProgress: runProgressSchema,
  runDone: runDoneSchema,
  runFailed: runFailedSchema,
  /** Electron's File menu: the renderer carries out the command (it holds the view to save). */
  menuCommand: z.object({
    command: z.enum(['new', 'open', 'save', 'saveAs', 'openFile', 'importData']),
    token: z.string().optional(),
    name: z.string().optional()
  }),
  /** An autosave could not be written (e.g. the disk is full): unsaved runs are at risk. */
  autosaveFailed: z.object({ message: z.string() }),
  importProgress: importProgressEventSchema,
  importDone: importDoneEventSchema,
  importFailed: importFailedEventSchema
} as const satisfies Record<EventName, z.ZodType>

export { requestNames, eventNames, requestChannel, eventChannel }
export type { RequestName, EventName }
export type RequestInput<K extends RequestName> = z.input<(typeof requests)[K]['input']>
export type RequestOutput<K extends RequestName> = z.output<(typeof requests)[K]['output']>
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && (requestNames as readonly string[]).includes(name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (eventNames as readonly string[]).includes(name)
}

/** What every request resolves to on the wire: a result, or an error the UI can show as is. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: LabError }

export const labErrorSchema = z.object({
  code: z.enum(['invalid-request', 'invalid-input', 'busy', 'not-found', 'internal']),
  message: z.string()
})
export type LabError = z.infer<typeof labErrorSchema>

export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: labErrorSchema })
])

/** The API as the renderer sees it, whichever host is behind it. */
export interface LabClient {
  request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void
}

/** Explains a zod failure in one line that names every offending field, the missing ones together. */
export function describeIssues(error: z.ZodError): string {
  const where = (issue: z.core.$ZodIssue): string =>
    issue.path.length ? issue.path.join('.') : '(input)'
  // With `reportInput`, an issue carries the value it is about; without, the message says.
  const isMissing = (issue: z.core.$ZodIssue): boolean =>
    ('input' in issue && issue.input === undefined && issue.path.length > 0) ||
    (issue.code === 'invalid_type' && issue.message.endsWith('received undefined'))
  const missing = error.issues.filter(isMissing).map(where)
  return [
    ...(missing.length
      ? [`missing ${missing.length === 1 ? 'field' : 'fields'} ${missing.join(', ')}`]
      : []),
    ...error.issues.filter((i) => !isMissing(i)).map((i) => `${where(i)}: ${i.message}`)
  ].join('; ')
}
