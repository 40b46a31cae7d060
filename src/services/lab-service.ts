import { z } from 'zod'
import {
  describeIssues,
  isRequestName,
  requests,
  type Envelope,
  type LabError,
  type RequestName,
  type RequestOutput
} from '../shared/contract'
import { isBuiltInDataset, type DatasetName, type Font, type LabInfo } from '../shared/schemas'
import { pinned, traitsOf } from '../ml/kinds/catalog'
import { loadFonts, loadImageSet, type ImageSet, type Split } from '../ml/data/datasets'
import { summariseImageSets } from '../ml/data/summaries'
import { LabBusyError, LabNotFoundError, type TrainingService } from './training'
import { DEFAULT_CLIENT, type SessionService } from './sessions'
import { SessionFileError } from './session-file'
import { SESSION_EXTENSION } from '../shared/session'
import { basename } from 'node:path'
import { importHandlers } from './import-handlers'
import type { ImportService } from './import-data/app'
import { exportReport } from './report/export'

// The lab's request handlers over plain services, shared by both hosts. `dispatch` is the one
// entry point from a transport: it validates the name and the input, runs the handler, and
// turns every failure into an error envelope the UI can show.

type Input<K extends RequestName> = z.output<(typeof requests)[K]['input']>
export type Handlers = { [K in RequestName]: (input: Input<K>) => Promise<RequestOutput<K>> }

export interface LabServiceOptions {
  host: LabInfo['host']
  datasetsDir: string
  training: TrainingService
  sessions: SessionService
  versions?: Record<string, string>
  /** Electron: shows a native dialog and returns the chosen path (absent in the browser host). */
  pickPath?: (mode: 'open' | 'save', suggestedName?: string) => Promise<string | null>
  /** The lab's data, read once for all its sessions (default: a cache of these handlers' own). */
  data?: DataCache
  /** The workspace's imported data sets (`<workspace>/datasets`), listed beside the built-in. */
  importedDatasetsDir?: string
  /** Imports from the app into the workspace (import-data/app.ts). */
  imports?: ImportService
  /** Electron: a native dialog choosing a folder or file to import. */
  pickImportPath?: (mode: 'folder' | 'file') => Promise<string | null>
  /** Prints a report to PDF (Electron: its own Chromium; by default Chromium via Playwright). */
  printPdf?: (html: string) => Promise<Uint8Array>
}

/** Fonts and image sets as read from the data sets folder, each read once. */
export interface DataCache {
  fonts(): Promise<Font[]>
  imageSet(dataset: DatasetName, split: Split): Promise<ImageSet>
}

/**
 * The built-in sets are read once; an imported set is read (and its content hash checked) at
 * each request, since it may be imported again under the same name.
 */
export function createDataCache(datasetsDir: string, imported: string | null = null): DataCache {
  let fonts: Promise<Font[]> | null = null
  const imageSets = new Map<string, Promise<ImageSet>>()
  return {
    fonts: () => {
      fonts ??= loadFonts(datasetsDir).catch((error: unknown) => {
        fonts = null
        throw error
      })
      return fonts
    },
    imageSet: (dataset, split) => {
      if (!isBuiltInDataset(dataset))
        return loadImageSet(datasetsDir, dataset, split, { importedRoot: imported, anyShape: true })
      const key = `${dataset}/${split}`
      let set = imageSets.get(key)
      if (!set) {
        set = loadImageSet(datasetsDir, dataset, split)
        imageSets.set(key, set)
        set.catch(() => imageSets.delete(key))
      }
      return set
    }
  }
}

/** The handlers for one session (a browser tab, a window): `client` names it to the services. */
export function createHandlers(options: LabServiceOptions, client = DEFAULT_CLIENT): Handlers {
  const imported = options.importedDatasetsDir ?? null
  const data = options.data ?? createDataCache(options.datasetsDir, imported)
  const getFonts = data.fonts
  const imageSet = data.imageSet
  return {
    ...importHandlers(options.imports, options.pickImportPath),
    getInfo: async () => {
      const { backend, note, tfjs } = await options.training.backend()
      return {
        host: options.host,
        backend,
        backendNote: note,
        versions: { ...options.versions, tfjs }
      }
    },
    listFonts: () => getFonts(),
    listDatasets: () => summariseImageSets(options.datasetsDir, imported),
    startRun: async (asked) => {
      // Fail here, naming what is missing (a data set, a character set), not in the worker.
      const experiment = await traitsOf(asked)
        .check(asked, options.datasetsDir, imported)
        .then(() => pinned(asked, imported))
        .catch((error: unknown) => {
          throw new LabNotFoundError(error instanceof Error ? error.message : String(error))
        })
      const runId = await options.training.start(experiment, options.datasetsDir)
      options.sessions.started(runId, experiment, client)
      return { runId, kind: experiment.kind }
    },
    stopRun: async ({ runId }) => ({ ok: options.training.stop(runId) }),
    pauseRun: async ({ runId }) => ({ ok: options.training.pause(runId) }),
    resumeRun: async ({ runId }) => ({ ok: options.training.resume(runId) }),
    decodeLatent: (request) => options.training.decode(request),
    encodePatterns: (request) => options.training.encode(request),
    vaeTestSet: ({ runId }) => options.training.testSet(runId, options.datasetsDir),
    latentAnalysis: (request) => options.training.analyze(request, options.datasetsDir),
    listSessions: () => options.sessions.list(),
    saveSession: async ({ target, runIds, view, customGlyphs, characterSets }) =>
      options.sessions.save(
        options.sessions.resolve(target),
        runIds,
        view,
        customGlyphs,
        client,
        characterSets
      ),
    openSession: async ({ target }) =>
      options.sessions.open(options.sessions.resolve(target), client),
    importSession: ({ fileName, text }) => options.sessions.importText(text, fileName, client),
    rememberView: async ({ view, customGlyphs, characterSets }) => {
      options.sessions.remember(view, customGlyphs, client, characterSets)
      return { ok: true }
    },
    recoveryInfo: () => options.sessions.recoveryInfo(client),
    recoverSession: () => options.sessions.recover(client),
    discardRecovery: async () => {
      await options.sessions.discardRecovery(client)
      return { ok: true }
    },
    pickSessionPath: async ({ mode, suggestedName }) => {
      if (!options.pickPath)
        throw new LabNotFoundError(
          'file dialogs exist only in the desktop app; use the workspace list'
        )
      const path = await options.pickPath(mode, suggestedName)
      if (!path) return null
      return { token: options.sessions.grant(path), name: basename(path, SESSION_EXTENSION) }
    },
    exportReport: (request) =>
      exportReport(
        request,
        {
          sessions: options.sessions,
          training: options.training,
          datasetsDir: options.datasetsDir,
          importedDatasetsDir: imported,
          fonts: getFonts,
          printPdf: options.printPdf,
          generatedBy: `Autoencoder Lab ${options.versions?.['lab'] ?? ''}`.trim()
        },
        client
      ),
    datasetImages: async ({ dataset, split, indices }) => {
      const set = await imageSet(dataset, split)
      for (const i of indices)
        if (i >= set.count) throw new LabNotFoundError(`${dataset} ${split} has no image ${i}`)
      return {
        images: indices.map((i) => {
          // 784 grey levels for MNIST; an imported set's own size and channels.
          const values = set.side * set.side * set.channels
          return Array.from(set.images.subarray(i * values, (i + 1) * values))
        }),
        labels: indices.map((i) => set.labels[i]!)
      }
    }
  }
}

function toLabError(error: unknown): LabError {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof SessionFileError) return { code: 'invalid-input', message }
  if (error instanceof LabBusyError) return { code: 'busy', message }
  if (error instanceof LabNotFoundError) return { code: 'not-found', message }
  return { code: 'internal', message }
}

/** Validates and runs one request from a transport; never throws. */
export async function dispatch(
  handlers: Handlers,
  name: unknown,
  rawInput: unknown
): Promise<Envelope<unknown>> {
  if (!isRequestName(name)) {
    return {
      ok: false,
      error: { code: 'invalid-request', message: `unknown request ${JSON.stringify(name)}` }
    }
  }
  const parsed = requests[name].input.safeParse(rawInput)
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'invalid-input',
        message: `invalid ${name} input: ${describeIssues(parsed.error)}`
      }
    }
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>
    return { ok: true, result: await handler(parsed.data) }
  } catch (error) {
    return { ok: false, error: toLabError(error) }
  }
}
