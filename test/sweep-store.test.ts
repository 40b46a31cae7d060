import { expect, it } from 'vitest'
import { useSweepStore } from '../src/renderer/src/stores/sweep'
import { useRunsStore } from '../src/renderer/src/stores/runs'
import { useSessionStore } from '../src/renderer/src/stores/session'
import type { SweepSpecInput } from '../src/shared/sweep'
import { storesAgainstRealHost, until } from './store-host'

// The app's sweeps (issue 17 item 2) against a real host and training worker: the runs queue
// one after another, Stop stops the run in progress and starts no other, the finished runs stay
// and a saved and reopened session shows them as one sweep again.

storesAgainstRealHost()

const spec: SweepSpecInput = {
  name: 'app sweep',
  base: {
    kind: 'autoencoder',
    font: 'Font1',
    subset: [0, 1, 2, 3],
    hidden: [8],
    latent: 2,
    activation: 'tanh',
    learningRate: 0.02,
    epochs: 20,
    maxWrongPixels: null,
    seed: 1
  },
  // The third run would go on for a million epochs: it is stopped.
  grid: [{ parameter: 'epochs', values: [20, 30, 1_000_000, 20] }]
}

it('queues the runs, stops the one in progress on Stop, and keeps the finished ones in the session', async () => {
  const sweep = useSweepStore()
  const runs = useRunsStore()
  const done = sweep.start(spec)
  expect(sweep.planned).toBe(4)
  await until(() => sweep.started === 3 && sweep.runId !== null && sweep.progress > 0.5)
  expect(runs.runs).toHaveLength(2)
  // Two runs finished: the time left is an estimate from them.
  expect(sweep.timeLeft).not.toBeNull()
  await sweep.stop()
  await done
  expect(sweep.phase).toBe('finished')
  expect(sweep.started).toBe(3)
  expect(runs.runs.map((r) => [r.result.status, r.sweep?.index])).toEqual([
    ['completed', 0],
    ['completed', 1],
    ['stopped', 2]
  ])
  // A sweep's runs are not all put in the comparison.
  expect(runs.compared).toEqual([])
  const [table] = sweep.tables
  expect(table!.rows.map((r) => r.parameters)).toEqual([{ epochs: 20 }, { epochs: 30 }])
  expect(table!.unfinished).toBe(1)
  expect(table!.planned).toBe(4)

  // Saved and opened again: the runs are still one sweep.
  const session = useSessionStore()
  expect(await session.saveTo({ name: 'sweep-store' })).toBe(true)
  session.reset()
  expect(sweep.tables).toEqual([])
  expect(await session.open({ name: 'sweep-store' })).toBe(true)
  expect(sweep.tables).toHaveLength(1)
  expect(sweep.tables[0]!.rows.map((r) => r.runIds)).toEqual(table!.rows.map((r) => r.runIds))
  expect(sweep.tables[0]!.unfinished).toBe(1)
})

it('says what is wrong with a sweep instead of starting it', async () => {
  const sweep = useSweepStore()
  await sweep.start({ ...spec, grid: [{ parameter: 'latent', values: [2, 99] }] })
  expect(sweep.phase).toBe('idle')
  expect(sweep.error).toMatch(/cannot run latent = 99/)
})
