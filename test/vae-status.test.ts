import { describe, expect, it } from 'vitest'
import { vaeStatus } from '../src/renderer/src/lib/vae-status'
import { formatDuration } from '../src/renderer/src/lib/duration'
import type { VaeBatchProgress, VaeProgress } from '../src/shared/schemas'

const epoch = (n: number): VaeProgress => ({
  runId: 'run-1',
  epoch: n,
  epochs: 10,
  loss: 200,
  reconstruction: 190,
  kl: 10,
  samplesPerSecond: 8000,
  elapsedSeconds: 7.5 * n,
  reconstructions: []
})
const within = (n: number, batch: number): VaeBatchProgress => ({
  runId: 'run-1',
  epoch: n,
  epochs: 10,
  batch,
  batches: 468,
  samplesPerSecond: 8123.4,
  elapsedSeconds: 7.5 * (n - 1) + (7.5 * batch) / 468
})

describe('the VAE panel status', () => {
  it('says where training is within an epoch, with speed and time left', () => {
    expect(vaeStatus('running', undefined, within(1, 117), null)).toBe(
      'Training · epoch 1 of 10, 25% · 8123 samples/s · about 74 s left'
    )
    expect(vaeStatus('paused', epoch(3), within(4, 234), null)).toBe(
      'Paused · epoch 4 of 10, 50% · 8123 samples/s · about 49 s left'
    )
  })

  it('falls back to the last finished epoch when it is newer than the batch report', () => {
    expect(vaeStatus('running', epoch(4), within(4, 468), null)).toBe(
      'Training · epoch 4 of 10 · 8000 samples/s · about 45 s left'
    )
  })

  it('says loading, ready, and how a run ended', () => {
    expect(vaeStatus('starting', undefined, null, null)).toBe('Loading the data set…')
    expect(vaeStatus('idle', undefined, null, null)).toBe('Ready')
    expect(
      vaeStatus('finished', epoch(10), null, {
        runId: 'run-1',
        status: 'completed',
        message: 'ran all 10 epochs',
        backend: 'wasm',
        epochs: 10,
        seconds: 75.04,
        finalLoss: 150
      })
    ).toBe('ran all 10 epochs · 75.0 s on wasm')
  })
})

describe('durations in status lines', () => {
  it('shows milliseconds under a second (a letters run takes ~20 ms), seconds above', () => {
    expect(formatDuration(0.0234)).toBe('23 ms')
    expect(formatDuration(0)).toBe('0 ms')
    expect(formatDuration(0.9994)).toBe('999 ms')
    expect(formatDuration(1)).toBe('1.0 s')
    expect(formatDuration(75.04)).toBe('75.0 s')
    expect(formatDuration(Number.NaN)).toBe('–')
  })
})
