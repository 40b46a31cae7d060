import type { EventName, EventPayload } from '../shared/contract'
import type { BackendName, Experiment } from '../shared/schemas'
import type { RunRecord } from '../shared/session'
import { spreadEvenly } from '../shared/spread'

/** How many epochs of VAE reconstructions a session keeps (the lab shows as many). */
const SAVED_EPOCH_IMAGES = 6

// What the session keeper knows of each run: its config, the history and result its events
// carried, its weights when it came from a file or a checkpoint, and whose session holds it.

export interface Draft {
  id: string
  experiment: Experiment
  history: Record<string, (number | null)[]>
  record: Omit<RunRecord, 'networks' | 'id' | 'experiment' | 'history' | 'environment'> | null
  environment: RunRecord['environment'] | null
  /** Present for runs opened from a file: their weights as saved. */
  networks: RunRecord['networks'] | null
  /** The latest weights of a run still training. */
  checkpoint?: RunRecord['networks']
  /** The session holding the run (the one that trained, opened or recovered it). */
  owner: string
  /** Not in any file yet (only in its owner's recovery file). */
  unsaved: boolean
  /** VAE: the fixed test images' reconstructions after each epoch, as pixels 0-255. */
  epochImages?: NonNullable<RunRecord['epochImages']>
}

/** Records an event's news in its run's draft; returns the draft of a run that just finished. */
export function observeRun<K extends EventName>(
  drafts: Map<string, Draft>,
  name: K,
  payload: EventPayload<K>
): Draft | null {
  const push = (draft: Draft, values: Record<string, number>): void => {
    for (const [key, value] of Object.entries(values)) (draft.history[key] ??= []).push(value)
  }
  if (name === 'trainingProgress') {
    const p = payload as EventPayload<'trainingProgress'>
    const draft = drafts.get(p.runId)
    if (draft) for (const [epoch, loss] of p.points) push(draft, { epoch, loss })
  } else if (name === 'vaeProgress') {
    const p = payload as EventPayload<'vaeProgress'>
    const draft = drafts.get(p.runId)
    if (draft) {
      push(draft, {
        epoch: p.epoch,
        loss: p.loss,
        reconstruction: p.reconstruction,
        kl: p.kl,
        samplesPerSecond: p.samplesPerSecond
      })
      if (p.reconstructions.length > 0)
        (draft.epochImages ??= []).push({
          epoch: p.epoch,
          images: p.reconstructions.map((image) => image.map((v) => Math.round(v * 255)))
        })
    }
  } else if (name === 'trainingDone' || name === 'vaeDone') {
    const d = payload as EventPayload<'trainingDone'> | EventPayload<'vaeDone'>
    const draft = drafts.get(d.runId)
    if (!draft) return null
    if (d.status === 'failed' || d.epochs === 0) {
      drafts.delete(d.runId)
      return null
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
    return draft
  }
  return null
}

/**
 * A draft as a session file's run record, with its weights (from the file it came from, its last
 * checkpoint while it trains, or its worker); null for a run in progress never checkpointed.
 */
export async function runRecordOf(
  draft: Draft,
  versions: Record<string, string>,
  lab: {
    training: { exportModel(runId: string): Promise<RunRecord['networks']> }
    backend: () => Promise<BackendName>
  }
): Promise<RunRecord | null> {
  let record = draft.record
  let networks = draft.networks
  if (!record) {
    // Still training: only its last checkpoint can be saved.
    if (!draft.checkpoint) return null
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
  networks ??= await lab.training.exportModel(draft.id)
  return {
    id: draft.id,
    experiment: draft.experiment,
    ...record,
    environment: draft.environment
      ? { ...draft.environment, versions: { ...versions, ...draft.environment.versions } }
      : { backend: await lab.backend(), versions },
    history: draft.history,
    ...(draft.epochImages
      ? { epochImages: spreadEvenly(draft.epochImages, SAVED_EPOCH_IMAGES) }
      : {}),
    networks
  }
}
