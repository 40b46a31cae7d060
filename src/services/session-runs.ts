import type { CharacterSet } from '../shared/character-sets'
import type { Experiment } from '../shared/experiments'
import {
  sessionViewSchema,
  type BackendName,
  type Glyph,
  type SessionView
} from '../shared/schemas'
import { newSession } from './session-file'
import type { RunRecord, Session, SessionSummary } from '../shared/session'
import { runRecordOf, type Draft } from './run-drafts'
import type { TrainingService } from './training'

// What the session keeper holds in memory: every run this host has trained or opened (a draft
// per run) and every open session (a browser tab, a window) with its view and glyphs. The
// session service (sessions.ts) adds the files: saving, opening, autosave and recovery.

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

export interface SessionRunsOptions {
  training: Pick<TrainingService, 'exportModel'>
  versions: () => Promise<Record<string, string>>
  backend: () => Promise<BackendName>
}

export abstract class SessionRuns {
  protected readonly drafts = new Map<string, Draft>()
  protected readonly clients = new Map<string, Client>()

  constructor(private readonly lab: SessionRunsOptions) {}

  /** Writes the unsaved runs of a session (or of all) where a crash cannot lose them. */
  abstract autosave(clientId?: string): Promise<void>

  protected client(id: string): Client {
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
    const versions = await this.lab.versions()
    for (const id of runIds) {
      const draft = this.drafts.get(id)
      if (!draft) continue
      const run = await runRecordOf(draft, versions, this.lab)
      if (run) session.runs.push(run)
    }
    const client = this.client(clientId)
    session.customGlyphs = client.customGlyphs
    session.characterSets = client.characterSets
    session.view = client.view
    return session
  }

  /** Takes a session's runs (loaded into the worker) as a client's, `unsaved` if recovered. */
  protected adopt(runs: readonly RunRecord[], clientId: string, unsaved: boolean): void {
    for (const run of runs) {
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
  }

  /** A session's runs not in any file yet (finished, or checkpointed). */
  protected unsavedRuns(clientId: string): string[] {
    return [...this.drafts.values()]
      .filter((d) => d.owner === clientId && d.unsaved && (d.record || d.checkpoint))
      .map((d) => d.id)
  }

  /** Runs now in a file are no longer anyone's unsaved work. */
  protected markSaved(runIds: readonly string[]): void {
    for (const id of runIds) {
      const draft = this.drafts.get(id)
      if (draft) draft.unsaved = false
    }
  }

  protected openClients(): string[] {
    return [...this.clients].filter(([, c]) => c.open).map(([id]) => id)
  }
}
