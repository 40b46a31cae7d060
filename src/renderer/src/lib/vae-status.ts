import type { VaeBatchProgress, VaeDone, VaeProgress } from '@shared/schemas'
import type { VaePhase } from '../stores/vae'
import { formatDuration } from './duration'

/**
 * The VAE panel's one-line status: where training is (within the epoch when a batch report is
 * newer than the last finished epoch), its speed and the time left, or how it ended.
 */
export function vaeStatus(
  phase: VaePhase,
  last: VaeProgress | undefined,
  batch: VaeBatchProgress | null,
  result: VaeDone | null
): string {
  if (phase === 'finished' && result)
    return `${result.message} · ${formatDuration(result.seconds)} on ${result.backend}`
  if (phase === 'starting' && !batch) return 'Loading the data set…'
  const verb = phase === 'paused' ? 'Paused' : 'Training'
  if (batch && batch.epoch > (last?.epoch ?? 0)) {
    const done = (batch.epoch - 1) * batch.batches + batch.batch
    const total = batch.epochs * batch.batches
    const left = (batch.elapsedSeconds * (total - done)) / Math.max(1, done)
    const percent = Math.floor((100 * batch.batch) / batch.batches)
    return `${verb} · epoch ${batch.epoch} of ${batch.epochs}, ${percent}% · ${Math.round(batch.samplesPerSecond)} samples/s · about ${Math.ceil(left)} s left`
  }
  if (!last) return phase === 'idle' ? 'Ready' : 'Training…'
  const left = ((last.epochs - last.epoch) * last.elapsedSeconds) / Math.max(1, last.epoch)
  return `${verb} · epoch ${last.epoch} of ${last.epochs} · ${Math.round(last.samplesPerSecond)} samples/s · about ${Math.ceil(left)} s left`
}
