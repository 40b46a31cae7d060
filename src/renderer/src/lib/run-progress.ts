import type { VaeBatchProgress, VaeProgress } from '@shared/schemas'

// Where an image model's run is, from its latest reports (an epoch's end, a batch within one):
// what the VAE panel's progress bar draws, so a slow run (a convolutional VAE on wasm) is
// visibly alive between its epochs.

export interface RunProgressView {
  /** Training done, of all of it (0-1). */
  fraction: number
  /** The epoch in progress (or the last one finished), of `epochs`. */
  epoch: number
  epochs: number
  /** Batches done in that epoch, of `batches` (null: no report within it yet). */
  batch: number | null
  batches: number | null
  samplesPerSecond: number
  elapsedSeconds: number
  /** Seconds left at the pace so far (null until something is done). */
  leftSeconds: number | null
  /** Epochs finished: what Stop keeps. */
  finished: number
}

export function runProgress(
  last: VaeProgress | undefined,
  batch: VaeBatchProgress | null
): RunProgressView | null {
  const finished = last?.epoch ?? 0
  if (batch && batch.epoch > finished) {
    const done = (batch.epoch - 1) * batch.batches + batch.batch
    const total = batch.epochs * batch.batches
    return {
      fraction: Math.min(1, done / total),
      epoch: batch.epoch,
      epochs: batch.epochs,
      batch: batch.batch,
      batches: batch.batches,
      samplesPerSecond: batch.samplesPerSecond,
      elapsedSeconds: batch.elapsedSeconds,
      leftSeconds: done > 0 ? (batch.elapsedSeconds * (total - done)) / done : null,
      finished
    }
  }
  if (!last) return null
  return {
    fraction: Math.min(1, last.epoch / last.epochs),
    epoch: last.epoch,
    epochs: last.epochs,
    batch: null,
    batches: null,
    samplesPerSecond: last.samplesPerSecond,
    elapsedSeconds: last.elapsedSeconds,
    leftSeconds: ((last.epochs - last.epoch) * last.elapsedSeconds) / Math.max(1, last.epoch),
    finished
  }
}

/** A duration as "42 s", "4 min 05 s" or "1 h 03 min" (the same in English and Spanish). */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds))
  if (s < 60) return `${s} s`
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`
}
