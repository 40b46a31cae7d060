import { randomBytes } from 'node:crypto'
import { mkdir, readdir, stat, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { EventName, EventPayload } from '../shared/contract'
import {
  sessionViewSchema,
  type BackendName,
  type Experiment,
  type Glyph,
  type SessionView
} from '../shared/schemas'
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
import type { TrainingService } from './training'
import { RECOVERY_FOLDER } from './paths'

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
}

interface Draft {
  id: string
  experiment: Experiment
  history: Record<string, (number | null)[]>
  record: Omit<RunRecord, 'networks' | 'id' | 'experiment' | 'history' | 'environment'> | null
  environment: RunRecord['environment'] | null
  /** Present for runs opened from a file: their weights as saved. */
  networks: RunRecord['networks'] | null
  /** The latest weights of a run still training. */
  checkpoint?: RunRecord['networks']
}

export interface OpenedSession {
  name: string
  session: Omit<Session, 'runs'> & { runs: SessionSummary[] }
}

const RECOVERY = RECOVERY_FOLDER
const AUTOSAVE = `autosave${SESSION_EXTENSION}`

export class SessionService {
  private readonly drafts = new Map<string, Draft>()
  private view: SessionView = sessionViewSchema.parse({})
  private customGlyphs: Glyph[] = []
  private autosaving: Promise<void> = Promise.resolve()
  /** Files the user picked in a native dialog, by random token (the renderer never names paths). */
  private readonly grants = new Map<string, string>()

  constructor(private readonly options: SessionServiceOptions) {}

  get workspace(): string {
    return this.options.workspace
  }

  /** A run has started: remember what it trains. */
  started(runId: string, experiment: Experiment): void {
    this.drafts.set(runId, {
      id: runId,
      experiment,
      history: {},
      record: null,
      environment: null,
      networks: null
    })
  }

  /** Watches the events a host relays, to keep each run's history and result. */
  observe<K extends EventName>(name: K, payload: EventPayload<K>): void {
    const push = (draft: Draft, values: Record<string, number>): void => {
      for (const [key, value] of Object.entries(values)) (draft.history[key] ??= []).push(value)
    }
    if (name === 'trainingProgress') {
      const p = payload as EventPayload<'trainingProgress'>
      const draft = this.drafts.get(p.runId)
      if (draft) for (const [epoch, loss] of p.points) push(draft, { epoch, loss })
    } else if (name === 'vaeProgress') {
      const p = payload as EventPayload<'vaeProgress'>
      const draft = this.drafts.get(p.runId)
      if (draft)
        push(draft, {
          epoch: p.epoch,
          loss: p.loss,
          reconstruction: p.reconstruction,
          kl: p.kl,
          samplesPerSecond: p.samplesPerSecond
        })
    } else if (name === 'trainingDone' || name === 'vaeDone') {
      const d = payload as EventPayload<'trainingDone'> | EventPayload<'vaeDone'>
      const draft = this.drafts.get(d.runId)
      if (!draft) return
      const failed = d.status === 'failed' || d.epochs === 0
      if (failed) {
        this.drafts.delete(d.runId)
        return
      }
      draft.record = {
        status: d.status,
        message: d.message,
        epochs: d.epochs,
        seconds: d.seconds,
        finalLoss: d.finalLoss,
        glyphs: 'glyphs' in d ? d.glyphs : null,
        denoising: 'denoising' in d ? d.denoising : null
      }
      draft.environment = { backend: d.backend, versions: {} }
      void this.autosave()
    }
  }

  /** A run in progress sent its weights: autosave it, so a crash loses at most this much. */
  checkpoint(runId: string, networks: RunRecord['networks']): void {
    const draft = this.drafts.get(runId)
    if (!draft || draft.record) return
    draft.checkpoint = networks
    void this.autosave()
  }

  /** The renderer's latest view and custom glyphs (kept for autosave). */
  remember(view: SessionView, customGlyphs: Glyph[]): void {
    this.view = view
    this.customGlyphs = customGlyphs
  }

  /** Builds a session of the given finished runs with their weights. */
  async build(name: string, runIds: readonly string[]): Promise<Session> {
    const session = newSession(name)
    const versions = await this.options.versions()
    for (const id of runIds) {
      const draft = this.drafts.get(id)
      if (!draft) continue
      let record = draft.record
      let networks = draft.networks
      if (!record) {
        // Still training: only its last checkpoint can be saved.
        if (!draft.checkpoint) continue
        const epochs = draft.history['epoch']?.length ?? 0
        const losses = draft.history['loss'] ?? []
        record = {
          status: 'stopped',
          message: `recovered from a checkpoint at epoch ${epochs}: the lab stopped before the run finished`,
          epochs,
          seconds: 0,
          finalLoss: losses.at(-1) ?? null,
          glyphs: null,
          denoising: null
        }
        networks = draft.checkpoint
      }
      networks ??= await this.options.training.exportModel(id)
      session.runs.push({
        id,
        experiment: draft.experiment,
        ...record,
        environment: draft.environment
          ? { ...draft.environment, versions: { ...versions, ...draft.environment.versions } }
          : { backend: await this.options.backend(), versions },
        history: draft.history,
        networks
      })
    }
    session.customGlyphs = this.customGlyphs
    session.view = this.view
    return session
  }

  /** Saves into the workspace under `name` (or to an absolute path chosen in a native dialog). */
  async save(
    target: { name: string } | { path: string },
    runIds: readonly string[],
    view: SessionView,
    customGlyphs: Glyph[]
  ): Promise<{ name: string; path: string }> {
    this.remember(view, customGlyphs)
    const path = 'path' in target ? target.path : this.workspacePath(target.name)
    const name = basename(path, SESSION_EXTENSION)
    await mkdir(join(path, '..'), { recursive: true })
    await writeSession(path, await this.build(name, runIds))
    // Through the autosave queue: an autosave still pending (a run that just finished) would
    // otherwise rewrite the recovery file after this discard.
    this.autosaving = this.autosaving.then(() => this.discardRecovery())
    await this.autosaving
    return { name, path }
  }

  /** Opens a session file: its runs' weights go back into the worker, the rest to the renderer. */
  async open(target: { name: string } | { path: string }): Promise<OpenedSession> {
    const path = 'path' in target ? target.path : this.workspacePath(target.name)
    return this.load(await readSession(path), basename(path, SESSION_EXTENSION))
  }

  /** Opens a session from its text (a file dropped on the window). */
  async importText(text: string, fileName: string): Promise<OpenedSession> {
    return this.load(parseSession(text, fileName), basename(fileName, SESSION_EXTENSION))
  }

  private async load(loaded: Session, name: string): Promise<OpenedSession> {
    const session = { ...loaded, runs: [...loaded.runs] }
    for (const [i, run] of session.runs.entries()) {
      try {
        // A glyph run recovered from a checkpoint has weights but no results yet: recompute them.
        const missing = run.experiment.kind !== 'vae' && run.glyphs === null
        const results = await this.options.training.importModel(
          run.id,
          run.experiment,
          run.networks,
          missing ? this.options.datasetsDir : undefined
        )
        if (results) session.runs[i] = { ...run, ...results }
      } catch (error) {
        throw new SessionFileError(
          `${name}: the weights of run ${run.id} do not load: ${(error as Error).message}`,
          { cause: error }
        )
      }
    }
    for (const run of session.runs) {
      const { id, experiment, history, networks, environment, ...record } = run
      this.drafts.set(id, { id, experiment, history, record, environment, networks })
    }
    this.remember(session.view, session.customGlyphs)
    const runs = session.runs.map(({ networks: _networks, ...summary }) => summary)
    return { name, session: { ...session, runs } }
  }

  /** The workspace's session files, newest first. */
  async list(): Promise<{ name: string; modified: string; bytes: number }[]> {
    await mkdir(this.options.workspace, { recursive: true })
    const entries = await readdir(this.options.workspace, { withFileTypes: true })
    const files = await Promise.all(
      entries
        .filter((e) => e.isFile() && e.name.endsWith(SESSION_EXTENSION))
        .map(async (e) => {
          const info = await stat(join(this.options.workspace, e.name))
          return {
            name: basename(e.name, SESSION_EXTENSION),
            modified: info.mtime.toISOString(),
            bytes: info.size
          }
        })
    )
    return files.sort((a, b) => b.modified.localeCompare(a.modified))
  }

  /** Writes every finished run to the recovery file (one write at a time). */
  autosave(): Promise<void> {
    this.autosaving = this.autosaving.then(async () => {
      const finished = [...this.drafts.values()]
        .filter((d) => d.record || d.checkpoint)
        .map((d) => d.id)
      if (finished.length === 0) return
      try {
        const dir = join(this.options.workspace, RECOVERY)
        await mkdir(dir, { recursive: true })
        await writeSession(join(dir, AUTOSAVE), await this.build('recovered session', finished))
      } catch {
        // Autosave is best effort: a failure must not disturb training; the next one retries.
      }
    })
    return this.autosaving
  }

  /** What a previous run of the lab left unsaved, if anything. */
  async recoveryInfo(): Promise<{ savedAt: string; runs: number } | null> {
    const path = join(this.options.workspace, RECOVERY, AUTOSAVE)
    try {
      const info = await stat(path)
      const session = await readSession(path)
      return { savedAt: info.mtime.toISOString(), runs: session.runs.length }
    } catch {
      return null
    }
  }

  async recover(): Promise<OpenedSession> {
    return this.open({ path: join(this.options.workspace, RECOVERY, AUTOSAVE) })
  }

  async discardRecovery(): Promise<void> {
    await unlink(join(this.options.workspace, RECOVERY, AUTOSAVE)).catch(() => undefined)
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
}
