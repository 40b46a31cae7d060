import { randomBytes } from 'node:crypto'
import { mkdir, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { checkImportedSet } from '../ml/data/datasets'
import { importedDatasetsRoot } from '../ml/data/imported'
import { isBuiltInDataset } from '../shared/schemas'
import type { CharacterSet } from '../shared/character-sets'
import {
  sessionViewSchema,
  type BackendName,
  type Glyph,
  type SessionView
} from '../shared/schemas'
import { kindFamily, type Experiment } from '../shared/experiments'
import {
  SESSION_EXTENSION,
  type RunRecord,
  type Session,
  type SessionSummary
} from '../shared/session'
import {
  newSession,
  parseSession,
  readSession,
  SessionFileError,
  writeSession
} from './session-file'
import { LabBusyError, type TrainingService } from './training'
import { RecoveryFiles, removeStaleTemporaries } from './recovery'
import { runRecordOf, type Draft } from './run-drafts'
import { describeFsError, listSessions, refuseLinksOut } from './workspace-files'

// Keeps the record of every run this host has trained or opened (config, per-epoch history,
// results), saves them with their weights into session files, reopens them (loading the weights
// back into the worker), and autosaves so that a crash loses nothing that had finished.

export interface SessionServiceOptions {
  /** The folder whose .aelab files the renderer may list, open and save by name. */
  workspace: string
  training: TrainingService
  versions: () => Promise<Record<string, string>>
  backend: () => Promise<BackendName>
  /** The data sets folder, to recompute the results of glyph runs saved without them. */
  datasetsDir?: string
  /** Tells the user an autosave failed (their unsaved runs are not protected meanwhile). */
  onAutosaveFailed?: (message: string) => void
  /** Tells the user a recovery file could not be read (and was set aside). */
  onRecoveryDamaged?: (message: string) => void
}

/** The session of a host's only window, and of callers that do not say which. */
export const DEFAULT_CLIENT = 'app'

/** An open session (a browser tab, a window): what it shows, and whether it is still open. */
interface Client {
  view: SessionView
  customGlyphs: Glyph[]
  /** Character sets imported from `.h` or glyph JSON files. */
  characterSets: CharacterSet[]
  open: boolean
}

export interface OpenedSession {
  name: string
  session: Omit<Session, 'runs'> & { runs: SessionSummary[] }
  /** What is wrong with the data the runs were trained on (missing or changed imported sets). */
  notices: string[]
}

export class SessionService {
  private readonly drafts = new Map<string, Draft>()
  private readonly clients = new Map<string, Client>()
  private readonly recovery: RecoveryFiles
  private autosaving: Promise<void> = Promise.resolve()
  /** Files the user picked in a native dialog, by random token (the renderer never names paths). */
  private readonly grants = new Map<string, string>()
  /** Stale temporary files of killed saves, removed once at start. */
  readonly cleaned: Promise<number>

  constructor(private readonly options: SessionServiceOptions) {
    this.recovery = new RecoveryFiles(options.workspace, randomBytes(6).toString('hex'), (m) =>
      options.onRecoveryDamaged?.(m)
    )
    this.cleaned = removeStaleTemporaries([options.workspace, this.recovery.dir])
  }

  get workspace(): string {
    return this.options.workspace
  }

  private client(id: string): Client {
    let client = this.clients.get(id)
    if (!client) {
      client = {
        view: sessionViewSchema.parse({}),
        customGlyphs: [],
        characterSets: [],
        open: true
      }
      this.clients.set(id, client)
    }
    return client
  }

  /** A session closed (its tab or window went away): its unsaved runs become recoverable. */
  disconnect(clientId: string): void {
    const client = this.clients.get(clientId)
    if (client) client.open = false
  }

  /** A run has started in a session: remember what it trains. */
  started(runId: string, experiment: Experiment, clientId = DEFAULT_CLIENT): void {
    this.client(clientId)
    this.drafts.set(runId, {
      id: runId,
      experiment,
      record: null,
      networks: null,
      owner: clientId,
      unsaved: true
    })
  }

  /**
   * A run ended, with the record the run driver built: keep it (a run that never finished an
   * epoch has nothing to keep) and autosave it.
   */
  finished(record: SessionSummary): void {
    const draft = this.drafts.get(record.id)
    if (!draft) return
    if (record.epochs === 0) {
      this.drafts.delete(record.id)
      return
    }
    draft.record = record
    void this.autosave(draft.owner)
  }

  /** A run failed: nothing of it is kept. */
  failed(runId: string): void {
    const draft = this.drafts.get(runId)
    if (draft && !draft.record) this.drafts.delete(runId)
  }

  /** A run in progress sent its weights: autosave it, so a crash loses at most this much. */
  checkpoint(runId: string, networks: RunRecord['networks'], record: SessionSummary): void {
    const draft = this.drafts.get(runId)
    if (!draft || draft.record) return
    draft.checkpoint = { networks, record }
    void this.autosave(draft.owner)
  }

  /** A session's latest view, custom glyphs and imported character sets (kept for its autosave). */
  remember(
    view: SessionView,
    customGlyphs: Glyph[],
    clientId = DEFAULT_CLIENT,
    characterSets: CharacterSet[] = []
  ): void {
    const client = this.client(clientId)
    client.view = view
    client.customGlyphs = customGlyphs
    client.characterSets = characterSets
  }

  /** Builds a session of the given finished runs with their weights, and a session's view. */
  async build(
    name: string,
    runIds: readonly string[],
    clientId = DEFAULT_CLIENT
  ): Promise<Session> {
    const session = newSession(name)
    const versions = await this.options.versions()
    for (const id of runIds) {
      const draft = this.drafts.get(id)
      if (!draft) continue
      const run = await runRecordOf(draft, versions, this.options)
      if (run) session.runs.push(run)
    }
    const client = this.client(clientId)
    session.customGlyphs = client.customGlyphs
    session.characterSets = client.characterSets
    session.view = client.view
    return session
  }

  /**
   * Saves into the workspace under `name` (or to a path chosen in a native dialog). The reply
   * names the file as the user knows it, never by its absolute path.
   */
  async save(
    target: { name: string } | { path: string },
    runIds: readonly string[],
    view: SessionView,
    customGlyphs: Glyph[],
    clientId = DEFAULT_CLIENT,
    characterSets: CharacterSet[] = []
  ): Promise<{ name: string; path: string }> {
    this.remember(view, customGlyphs, clientId, characterSets)
    const path = 'path' in target ? target.path : this.workspacePath(target.name)
    const name = basename(path, SESSION_EXTENSION)
    const label = basename(path)
    const session = await this.build(name, runIds, clientId)
    try {
      await mkdir(join(path, '..'), { recursive: true })
      await writeSession(path, session)
    } catch (error) {
      throw new SessionFileError(`${label}: cannot be saved (${describeFsError(error)})`, {
        cause: error
      })
    }
    // Only what this save wrote leaves the recovery file; the rest stays protected.
    for (const run of session.runs) {
      const draft = this.drafts.get(run.id)
      if (draft) draft.unsaved = false
    }
    await this.autosave(clientId)
    return { name, path: label }
  }

  /** Opens a session file: its runs' weights go back into the worker, the rest to the renderer. */
  async open(
    target: { name: string } | { path: string },
    clientId = DEFAULT_CLIENT
  ): Promise<OpenedSession> {
    const path = 'path' in target ? target.path : await this.workspaceFile(target.name)
    const label = basename(path)
    const name = basename(path, SESSION_EXTENSION)
    return this.load(await readSession(path, label), name, label, clientId, false)
  }

  /** Opens a session from its text (a file dropped on the window). */
  async importText(
    text: string,
    fileName: string,
    clientId = DEFAULT_CLIENT
  ): Promise<OpenedSession> {
    const label = basename(fileName)
    const name = basename(fileName, SESSION_EXTENSION)
    return this.load(parseSession(text, label), name, label, clientId, false)
  }

  /** Loads a session's runs into the lab for a client (all or none), `unsaved` if recovered. */
  private async load(
    loaded: Session,
    name: string,
    label: string,
    clientId: string,
    unsaved: boolean
  ): Promise<OpenedSession> {
    const session = { ...loaded, runs: [...loaded.runs] }
    // All runs load, or none: a refused file leaves the lab's runs as they were.
    let results: Awaited<ReturnType<TrainingService['importModels']>>
    try {
      results = await this.options.training.importModels(
        session.runs.map((run) => ({
          id: run.id,
          experiment: run.experiment,
          networks: run.networks,
          // A glyph run recovered from a checkpoint has weights but no results yet: recompute them.
          resultsFrom:
            kindFamily[run.experiment.kind] === 'glyphs' && run.glyphs === null
              ? this.options.datasetsDir
              : undefined
        }))
      )
    } catch (error) {
      if (error instanceof LabBusyError) throw error
      throw new SessionFileError(
        `${label}: the weights of a run do not load: ${(error as Error).message}`,
        { cause: error }
      )
    }
    results.forEach((r, i) => {
      if (r) session.runs[i] = { ...session.runs[i]!, ...r }
    })
    for (const run of session.runs) {
      const { networks, ...record } = run
      this.drafts.set(run.id, {
        id: run.id,
        experiment: run.experiment,
        record,
        networks,
        owner: clientId,
        unsaved
      })
    }
    this.remember(session.view, session.customGlyphs, clientId, session.characterSets)
    const runs = session.runs.map(({ networks: _networks, ...summary }) => summary)
    return { name, session: { ...session, runs }, notices: await this.dataNotices(session) }
  }

  /** Each run trained on an imported data set that is now missing or changed, said once per set. */
  private async dataNotices(session: Session): Promise<string[]> {
    const root = importedDatasetsRoot(this.options.workspace)
    const notices = new Map<string, string>()
    for (const run of session.runs) {
      if (!('dataset' in run.experiment) || isBuiltInDataset(run.experiment.dataset)) continue
      const { dataset, datasetHash } = run.experiment
      const key = `${dataset}\u0000${datasetHash ?? ''}`
      if (notices.has(key)) continue
      const problem = await checkImportedSet(root, dataset, datasetHash)
      if (problem !== null) notices.set(key, `${run.experiment.name ?? run.id}: ${problem}`)
    }
    return [...notices.values()]
  }

  /** The workspace's session files, newest first. */
  list(): Promise<{ name: string; modified: string; bytes: number }[]> {
    return listSessions(this.options.workspace)
  }

  /**
   * Writes each session's unsaved runs (finished, or checkpointed) to its recovery file, or
   * removes the file when none are left; one write at a time. A failure is reported, not
   * swallowed: until an autosave works again, a crash would lose those runs.
   */
  autosave(clientId?: string): Promise<void> {
    this.autosaving = this.autosaving.then(async () => {
      const ids = clientId !== undefined ? [clientId] : [...this.clients.keys()]
      for (const id of ids) {
        const runs = [...this.drafts.values()]
          .filter((d) => d.owner === id && d.unsaved && (d.record || d.checkpoint))
          .map((d) => d.id)
        try {
          if (runs.length === 0) await this.recovery.remove(id)
          else await this.recovery.write(id, await this.build('recovered session', runs, id))
        } catch (error) {
          this.options.onAutosaveFailed?.(
            `Autosave failed (${describeFsError(error)}): ${runs.length} unsaved run${runs.length === 1 ? ' is' : 's are'} not protected against a crash until it works again; save the session.`
          )
        }
      }
    })
    return this.autosaving
  }

  /** Unsaved work of sessions no longer open (another tab's, an earlier lab's), if any. */
  async recoveryInfo(clientId = DEFAULT_CLIENT): Promise<{ savedAt: string; runs: number } | null> {
    this.client(clientId)
    const orphans = await this.recovery.orphans(this.openClients())
    const runs = new Set(orphans.flatMap((o) => o.session.runs.map((r) => r.id))).size
    return runs === 0 ? null : { savedAt: orphans.at(-1)!.savedAt, runs }
  }

  /** Takes the unsaved work of closed sessions into this one (it becomes this one's unsaved work). */
  async recover(clientId = DEFAULT_CLIENT): Promise<OpenedSession> {
    const orphans = await this.recovery.orphans(this.openClients())
    const newest = orphans.at(-1)
    if (!newest) throw new SessionFileError('there is no unsaved work to recover')
    // The newest copy of each run; the newest file's view and glyphs.
    const runs = new Map(orphans.flatMap((o) => o.session.runs.map((r) => [r.id, r] as const)))
    const merged = { ...newest.session, runs: [...runs.values()] }
    const opened = await this.load(merged, 'recovered session', 'recovery', clientId, true)
    await this.autosave(clientId)
    await this.dropOrphans(orphans.map((o) => o.path))
    return opened
  }

  /** Discards the unsaved work of closed sessions. */
  async discardRecovery(clientId = DEFAULT_CLIENT): Promise<void> {
    this.client(clientId)
    const orphans = await this.recovery.orphans(this.openClients())
    await this.dropOrphans(orphans.map((o) => o.path))
  }

  private async dropOrphans(paths: readonly string[]): Promise<void> {
    // Runs of closed sessions of this lab are no longer anyone's unsaved work.
    for (const [id, client] of this.clients)
      if (!client.open && paths.includes(this.recovery.fileOf(id)))
        for (const draft of this.drafts.values()) if (draft.owner === id) draft.unsaved = false
    await Promise.all(paths.map((path) => unlinkQuietly(path)))
  }

  private openClients(): string[] {
    return [...this.clients].filter(([, c]) => c.open).map(([id]) => id)
  }

  /** Records a path the user chose in a native dialog; the renderer gets only the token. */
  grant(path: string): string {
    const token = randomBytes(16).toString('hex')
    this.grants.set(token, path)
    return token
  }

  /** A renderer's target: a workspace name, or a granted token. */
  resolve(target: { name: string } | { token: string }): { name: string } | { path: string } {
    if ('name' in target) return target
    const path = this.grants.get(target.token)
    if (!path) throw new SessionFileError('that file choice has expired; choose the file again')
    return { path }
  }

  private workspacePath(name: string): string {
    // Names are validated by the contract (no separators); basename() is a second guard.
    return join(this.options.workspace, `${basename(name)}${SESSION_EXTENSION}`)
  }

  /** A workspace file to read; a link is followed only to a file inside the workspace. */
  private async workspaceFile(name: string): Promise<string> {
    const path = this.workspacePath(name)
    await refuseLinksOut(this.options.workspace, path)
    return path
  }
}

const unlinkQuietly = (path: string): Promise<void> => unlink(path).catch(() => undefined)
