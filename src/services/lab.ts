import type { BackendName, LabInfo } from '../shared/schemas'
import { importedDatasetsRoot } from '../ml/data/imported'
import { createDataCache, createHandlers, type Handlers } from './lab-service'
import { DEFAULT_CLIENT, SessionService } from './sessions'
import { TrainingService, type Emit } from './training'
import { ImportService } from './import-data/app'

// Everything a host needs, wired once: the training worker's owner, the session keeper (which
// takes each run's record from the run driver, through the training service) and the request
// handlers.

export interface LabOptions {
  host: LabInfo['host']
  datasetsDir: string
  workerPath: string
  workspace: string
  emit: Emit
  preferredBackend?: BackendName
  /** Threads of the wasm backend (default: every core, at most 8). */
  threads?: number
  checkpointSeconds?: number
  versions?: Record<string, string>
  pickPath?: (mode: 'open' | 'save', suggestedName?: string) => Promise<string | null>
  /** Electron: a native dialog choosing a folder or file to import. */
  pickImportPath?: (mode: 'folder' | 'file') => Promise<string | null>
  /** Prints a report to PDF (Electron: its own Chromium). */
  printPdf?: (html: string) => Promise<Uint8Array>
}

export interface Lab {
  /** The handlers of the host's only window (or of callers that need no session of their own). */
  handlers: Handlers
  /** The handlers of one session (a browser tab): its own autosave and recovery. */
  handlersFor(client: string): Handlers
  training: TrainingService
  sessions: SessionService
  imports: ImportService
  close(): Promise<void>
}

export function createLab(options: LabOptions): Lab {
  let sessions: SessionService | null = null
  const imported = importedDatasetsRoot(options.workspace)
  const training = new TrainingService({
    importedDatasetsDir: imported,
    workerPath: options.workerPath,
    emit: options.emit,
    preferredBackend: options.preferredBackend,
    threads: options.threads,
    checkpointSeconds: options.checkpointSeconds,
    onCheckpoint: (runId, networks, record) => sessions?.checkpoint(runId, networks, record),
    onRecord: (record) => sessions?.finished(record),
    onFailed: (runId) => sessions?.failed(runId)
  })
  const keeper = new SessionService({
    workspace: options.workspace,
    training,
    versions: async () => ({ ...options.versions, tfjs: (await training.backend()).tfjs }),
    backend: async () => (await training.backend()).backend,
    datasetsDir: options.datasetsDir,
    onAutosaveFailed: (message) => options.emit('autosaveFailed', { message }),
    // The same message path: unsaved work is at risk (here: could not be recovered).
    onRecoveryDamaged: (message) => options.emit('autosaveFailed', { message })
  })
  sessions = keeper
  // One copy of the data sets for every session (MNIST's training images alone are 47 MB).
  const data = createDataCache(options.datasetsDir, imported)
  const imports = new ImportService({ workspace: options.workspace, emit: options.emit })
  const handlersFor = (client: string): Handlers =>
    createHandlers(
      {
        host: options.host,
        datasetsDir: options.datasetsDir,
        training,
        sessions: keeper,
        versions: options.versions,
        pickPath: options.pickPath,
        printPdf: options.printPdf,
        data,
        importedDatasetsDir: imported,
        imports,
        pickImportPath: options.pickImportPath
      },
      client
    )
  return {
    handlers: handlersFor(DEFAULT_CLIENT),
    handlersFor,
    training,
    sessions: keeper,
    imports,
    close: async () => {
      await imports.close()
      await training.close()
    }
  }
}
