import type { VaeBatchProgress, VaeDone, VaeProgress } from '@shared/schemas'
import type { VaePhase } from '../stores/vae'
import { formatDuration } from './duration'
import { i18n } from '../i18n'

const t = i18n.global.t

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
    return t('vae.status.finished', {
      message: result.message,
      duration: formatDuration(result.seconds),
      backend: result.backend
    })
  if (phase === 'starting' && !batch) return t('vae.status.loading')
  const verb = t(phase === 'paused' ? 'vae.status.paused' : 'vae.status.training')
  if (batch && batch.epoch > (last?.epoch ?? 0)) {
    const done = (batch.epoch - 1) * batch.batches + batch.batch
    const total = batch.epochs * batch.batches
    const left = (batch.elapsedSeconds * (total - done)) / Math.max(1, done)
    const percent = Math.floor((100 * batch.batch) / batch.batches)
    return t('vae.status.withinEpoch', {
      verb,
      epoch: batch.epoch,
      epochs: batch.epochs,
      percent,
      speed: Math.round(batch.samplesPerSecond),
      left: Math.ceil(left)
    })
  }
  if (!last) return t(phase === 'idle' ? 'vae.status.ready' : 'vae.status.trainingDots')
  const left = ((last.epochs - last.epoch) * last.elapsedSeconds) / Math.max(1, last.epoch)
  return t('vae.status.afterEpoch', {
    verb,
    epoch: last.epoch,
    epochs: last.epochs,
    speed: Math.round(last.samplesPerSecond),
    left: Math.ceil(left)
  })
}
