import { afterAll, describe, expect, it } from 'vitest'
import { TrainingService } from '../src/services/training'
import type { EventName, EventPayload } from '../src/shared/contract'
import { vaeExperimentSchema } from '../src/shared/experiments'
import type { SessionSummary } from '../src/shared/session'
import { builtWorker, datasetsDir } from './helpers'

// A stop reaches a VAE run during its start-up too (issue 13, item 16): building the largest
// model the schema accepts and timing the engines on it (ml/vae-engine.ts) is seconds of work
// before the first batch. The start-up checks the control word after the build and between the
// engines' timings, so a stop asked for as the run starts ends it there: stopped, no epoch, and
// no engine timed (work, not time, is what is asserted). The run is recorded as stopped and its
// model (the weights it started with) kept for exploring.

const largest = vaeExperimentSchema.parse({
  kind: 'vae',
  dataset: 'mnist',
  trainSize: 4096,
  hidden: [2048, 2048, 2048, 2048],
  latent: 32,
  batchSize: 4096,
  epochs: 1
})

type Seen = { [K in EventName]?: EventPayload<K>[] }
const seen: Seen = {}
const records: SessionSummary[] = []
const waiters: (() => void)[] = []
const training = new TrainingService({
  workerPath: builtWorker,
  emit: (name, payload) => {
    ;((seen[name] ??= []) as unknown[]).push(payload)
    for (const wake of waiters.splice(0)) wake()
  },
  onRecord: (record) => records.push(record)
})
afterAll(() => training.close())

async function until<K extends EventName>(
  name: K,
  match: (payload: EventPayload<K>) => boolean
): Promise<EventPayload<K>> {
  for (;;) {
    const found = ((seen[name] ?? []) as EventPayload<K>[]).find(match)
    if (found) return found
    await new Promise<void>((resolve) => waiters.push(resolve))
  }
}

describe('stopping the largest VAE while it starts', () => {
  it('ends the run at start-up, before any engine is timed, recorded as stopped', async () => {
    const runId = await training.start(largest, datasetsDir)
    training.stop(runId)
    const done = await until('runDone', (d) => d.runId === runId)
    expect(seen.runFailed ?? []).toEqual([])
    if (done.kind !== 'vae') throw new Error(`a VAE run ended as ${done.kind}`)
    expect(done.status).toBe('stopped')
    expect(done.epochs).toBe(0)
    expect(done.finalLoss).toBeNull()
    expect(done.message).toBe('stopped by the user while the run was starting, before epoch 1')
    // No engine was timed after the stop (and no batch trained: no progress at all).
    expect(done.engine).toBe('none: stopped by the user before the engines were timed')
    expect((seen.runProgress ?? []).filter((p) => p.runId === runId)).toEqual([])
    // Recorded as stopped, and the lab is free for the next run.
    expect(records).toMatchObject([{ id: runId, status: 'stopped', epochs: 0 }])
    expect(training.running).toBeNull()
    // Its model is kept (the weights it started with) and can be explored.
    const encoded = await training.encode({ runId, patterns: [new Array<number>(784).fill(0.5)] })
    expect(encoded.points[0]).toHaveLength(32)
    expect(encoded.reconstructions[0]).toHaveLength(784)
    // A latent point of all 32 values decodes (the decode request once took at most 16).
    const decoded = await training.decode({ runId, points: [encoded.points[0]!] })
    expect(decoded.patterns[0]).toHaveLength(784)
  }, 600_000)
})
