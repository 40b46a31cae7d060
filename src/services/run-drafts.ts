import type { Experiment } from '../shared/experiments'
import type { BackendName } from '../shared/schemas'
import type { RunRecord, SessionSummary } from '../shared/session'

// What the session keeper knows of each run: its experiment, the record the run driver built
// when it ended (or the file it came from), its weights when it came from a file or a
// checkpoint, and whose session holds it.

export interface Draft {
  id: string
  experiment: Experiment
  /** The run's record without its weights: from the run driver, or from the file it came from. */
  record: SessionSummary | null
  /** Present for runs opened from a file: their weights as saved. */
  networks: RunRecord['networks'] | null
  /** The latest checkpoint of a run still training: its weights and its record so far. */
  checkpoint?: { networks: RunRecord['networks']; record: SessionSummary }
  /** The session holding the run (the one that trained, opened or recovered it). */
  owner: string
  /** Not in any file yet (only in its owner's recovery file). */
  unsaved: boolean
}

/**
 * A draft as a session file's run record, with its weights (from the file it came from, its last
 * checkpoint while it trains, or its worker); null for a run in progress never checkpointed.
 * The host's versions fill in what the run's own environment does not say.
 */
export async function runRecordOf(
  draft: Draft,
  versions: Record<string, string>,
  lab: {
    training: { exportModel(runId: string): Promise<RunRecord['networks']> }
    backend: () => Promise<BackendName>
  }
): Promise<RunRecord | null> {
  const finished = draft.record
  const source = finished ?? draft.checkpoint?.record
  if (!source) return null
  const networks =
    (finished ? draft.networks : draft.checkpoint?.networks) ??
    (await lab.training.exportModel(draft.id))
  return {
    ...source,
    environment: {
      backend: source.environment.backend,
      versions: { ...versions, ...source.environment.versions }
    },
    networks
  }
}
