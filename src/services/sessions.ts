import { randomBytes } from 'node:crypto'
import { mkdir, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { CharacterSet } from '../shared/character-sets'
import type { BackendName, Glyph, SessionView } from '../shared/schemas'
import { kindFamily } from '../shared/experiments'
import { SESSION_EXTENSION, type Session, type SessionSummary } from '../shared/session'
import { parseSession, readSession, SessionFileError, writeSession } from './session-file'
import { LabBusyError, type TrainingService } from './training'
import { RecoveryFiles, removeStaleTemporaries } from './recovery'
import { dataNotices } from './data-notices'
import { DEFAULT_CLIENT, SessionRuns } from './session-runs'
import {
  describeFsError,
  FileGrants,
  listSessions,
  workspaceFile,
  workspacePath
} from './workspace-files'

export { DEFAULT_CLIENT } from './session-runs'

// Saves the runs this host has trained or opened (session-runs.ts keeps them) with their weights
// into session files, reopens them (loading the weights back into the worker), and autosaves so
// that a crash loses nothing that had finished.

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

export interface OpenedSession {
  name: string
  session: Omit<Session, 'runs'> & { runs: SessionSummary[] }
  /** What is wrong with the data the runs were trained on (missing or changed imported sets). */
  notices: string[]
}

export class SessionService extends SessionRuns {
  private readonly recovery: RecoveryFiles
  private autosaving: Promise<void> = Promise.resolve()
  /** Files the user picked in a native dialog, by random token (the renderer never names paths). */
  private readonly grants = new FileGrants()
  /** Stale temporary files of killed saves, removed once at start. */
  readonly cleaned: Promise<number>

  constructor(private readonly options: SessionServiceOptions) {
    super(options)
    this.recovery = new RecoveryFiles(options.workspace, randomBytes(6).toString('hex'), (m) =>
      options.onRecoveryDamaged?.(m)
    )
    this.cleaned = removeStaleTemporaries([options.workspace, this.recovery.dir])
  }

  get workspace(): string {
    return this.options.workspace
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
    const path = 'path' in target ? target.path : workspacePath(this.options.workspace, target.name)
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
    this.markSaved(session.runs.map((run) => run.id))
    await this.autosave(clientId)
    return { name, path: label }
  }

  /** Opens a session file: its runs' weights go back into the worker, the rest to the renderer. */
  async open(
    target: { name: string } | { path: string },
    clientId = DEFAULT_CLIENT
  ): Promise<OpenedSession> {
    const path =
      'path' in target ? target.path : await workspaceFile(this.options.workspace, target.name)
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
    this.adopt(session.runs, clientId, unsaved)
    this.remember(session.view, session.customGlyphs, clientId, session.characterSets)
    const runs = session.runs.map(({ networks: _networks, ...summary }) => summary)
    return {
      name,
      session: { ...session, runs },
      notices: await dataNotices(this.options.workspace, session.runs)
    }
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
        const runs = this.unsavedRuns(id)
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

  /** Records a path the user chose in a native dialog; the renderer gets only the token. */
  grant(path: string): string {
    return this.grants.grant(path)
  }

  /** A renderer's target: a workspace name, or a granted token. */
  resolve(target: { name: string } | { token: string }): { name: string } | { path: string } {
    return this.grants.resolve(target)
  }
}

const unlinkQuietly = (path: string): Promise<void> => unlink(path).catch(() => undefined)
