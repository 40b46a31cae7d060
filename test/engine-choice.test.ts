import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import {
  chooseByTiming,
  EngineChoices,
  type EngineCandidate,
  type EngineStopped
} from '../src/ml/engine-choice'
import { trainVae } from '../src/ml/train-vae'
import { planVaeEngine, vaeCandidates } from '../src/ml/vae-engine'
import { createVae, vaeParams } from '../src/ml/vae'
import { loadImageSet } from '../src/ml/data/datasets'
import { vaeTrainConfigSchema } from '../src/shared/schemas'
import { datasetsDir } from './helpers'

// Choosing the engine by timing a few steps of each candidate (src/ml/engine-choice.ts). The
// candidates here are injected where the real one cannot run: tfjs-node's native library cannot
// be installed on this machine. Their times come from a clock the test advances, so the choice
// is exact; the real kernels are timed on the real clock in the last tests.

const adam = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const

/** Candidates that "take" `cost` ms per step on a clock the test owns. */
function fakeEngines(
  costs: Record<string, number | Error>,
  clock = { ms: 0 }
): {
  candidates: EngineCandidate<string>[]
  now: () => number
  disposed: string[]
  steps: Record<string, number>
} {
  const disposed: string[] = []
  const steps: Record<string, number> = {}
  const candidates = Object.entries(costs).map(([label, cost]) => ({
    label,
    value: label,
    run(n: number) {
      if (cost instanceof Error) throw cost
      steps[label] = (steps[label] ?? 0) + n
      clock.ms += cost * n
    },
    dispose: () => void disposed.push(label)
  }))
  return { candidates, now: () => clock.ms, disposed, steps }
}

/** The decision, or a failed test when the timing stopped. */
function decided<T extends object>(decision: T | EngineStopped): T {
  if ('stopped' in decision) throw new Error('the timing stopped')
  return decision
}

describe('choosing an engine by timing', () => {
  it('picks the fastest, says why with every timing, skips one that fails, and frees them all', async () => {
    const fake = fakeEngines({
      'kernels on 2 threads': 9,
      'kernels on 1 thread': 12,
      'tfjs ops on tensorflow': 4,
      'tfjs ops on cpu': new Error('out of memory')
    })
    const decision = decided(await chooseByTiming(fake.candidates, { now: fake.now }))
    expect(decision.value).toBe('tfjs ops on tensorflow')
    expect(decision.note).toBe(
      'tfjs ops on tensorflow, timed at 4.0 ms per step against kernels on 2 threads 9.0 ms, kernels on 1 thread 12.0 ms, tfjs ops on cpu failed (out of memory)'
    )
    // A warm-up step, then 3 rounds of 2 steps, for each that runs.
    expect(fake.steps['kernels on 1 thread']).toBe(7)
    expect(fake.disposed.sort()).toEqual(fake.candidates.map((c) => c.label).sort())
  })

  it('does not time a lone candidate, and fails clearly when none runs', async () => {
    const one = fakeEngines({ 'the kernels (plain) on 1 thread': 5 })
    expect(decided(await chooseByTiming(one.candidates, { now: one.now })).note).toBe(
      'the kernels (plain) on 1 thread, the only engine that runs it here'
    )
    expect(one.steps).toEqual({})
    const none = fakeEngines({ a: new Error('no wasm'), b: new Error('no native library') })
    await expect(chooseByTiming(none.candidates, { now: none.now })).rejects.toThrow(
      'no engine could run the model: a: no wasm; b: no native library'
    )
    expect(none.disposed).toEqual(['a', 'b'])
  })

  it('times once per key', async () => {
    const clock = { ms: 0 }
    const choices = new EngineChoices<string>({ now: () => clock.ms })
    let built = 0
    const build = (): EngineCandidate<string>[] => {
      built++
      return fakeEngines({ slow: 2, fast: 1 }, clock).candidates
    }
    expect(await choices.choose('784-256-2|128', build)).toMatchObject({
      value: 'fast',
      cached: false
    })
    expect(await choices.choose('784-256-2|128', build)).toMatchObject({
      value: 'fast',
      cached: true
    })
    expect(built).toBe(1)
    await choices.choose('35-64-32-2|32', build)
    expect(built).toBe(2)
  })

  it('asks the check before every run of a candidate: a stop ends the timing there, with no decision kept', async () => {
    const clock = { ms: 0 }
    const choices = new EngineChoices<string>({ now: () => clock.ms })
    let engines = fakeEngines({ slow: 2, fast: 1 }, clock)
    let asked = 0
    // Stop at the fourth check: the two warm-up steps and the first timed run were done.
    const stopping = (): 'continue' | 'stop' => (++asked >= 4 ? 'stop' : 'continue')
    expect(await choices.choose('key', () => engines.candidates, stopping)).toEqual({
      stopped: true,
      timed: 3
    })
    expect(asked).toBe(4)
    expect(engines.steps).toEqual({ slow: 3, fast: 1 })
    expect(engines.disposed.sort()).toEqual(['fast', 'slow'])
    // Nothing was kept for the shape: the next run times afresh.
    engines = fakeEngines({ slow: 2, fast: 1 }, clock)
    expect(await choices.choose('key', () => engines.candidates)).toMatchObject({
      value: 'fast',
      cached: false
    })
  })

  it('waits while the check is paused, running no candidate meanwhile', async () => {
    const clock = { ms: 0 }
    const engines = fakeEngines({ slow: 2, fast: 1 }, clock)
    let resume: (verdict: 'continue') => void = () => undefined
    let asked = 0
    const pausing = (): 'continue' | Promise<'continue'> =>
      ++asked === 2 ? new Promise((resolve) => (resume = resolve)) : 'continue'
    const choosing = chooseByTiming(engines.candidates, { now: () => clock.ms, check: pausing })
    // Paused at the second check: only the first warm-up step has run, however long it waits.
    await new Promise((resolve) => setImmediate(resolve))
    expect(asked).toBe(2)
    expect(engines.steps).toEqual({ slow: 1 })
    resume('continue')
    expect(decided(await choosing).value).toBe('fast')
    expect(engines.steps).toEqual({ slow: 7, fast: 7 })
  })
})

describe("the VAE's engine", () => {
  beforeAll(async () => {
    await chooseBackend({ preferred: 'wasm', threads: 1 })
  })

  it('takes an injected engine that times faster (as tfjs-node would be where it installs)', async () => {
    const model = createVae({ inputSize: 20, hidden: [8], latent: 2, activation: 'relu' }, 1)
    // A real clock here: the "native" candidate does nothing, the kernels do real steps.
    const plan = decided(
      await planVaeEngine(model, 16, adam, 2, (m, rows, config, threads) => [
        ...vaeCandidates(m, rows, config, threads),
        {
          label: 'tfjs ops on tensorflow',
          value: { arithmetic: 'tfjs', threads: 1 },
          run: () => undefined,
          dispose: () => undefined
        }
      ])
    )
    expect(plan.arithmetic).toBe('tfjs')
    expect(plan.note).toMatch(
      /^tfjs ops on tensorflow, timed at 0\.0 ms per step against the kernels \((fma|plain)\) on 2 threads [\d.]+ ms, the kernels \(\1\) on 1 thread [\d.]+ ms$/
    )
    model.dispose()
  })

  it('times the kernels on 1 and 2 threads for a model; a run that names no engine trains the same weights as one that does', async () => {
    expect(tf.getBackend()).toBe('wasm')
    const set = await loadImageSet(datasetsDir, 'mnist', 'train')
    const data = { count: set.count, images: set.images, size: 784 }
    const config = vaeTrainConfigSchema.parse({
      dataset: 'mnist',
      trainSize: 256,
      hidden: [32],
      latent: 2,
      batchSize: 64,
      epochs: 1,
      seed: 3
    })
    // With tfjs's pool at one thread the lab may use one: time 1 against 2 through planVaeEngine.
    const model = createVae({ inputSize: 784, hidden: [32], latent: 2, activation: 'relu' }, 3)
    const plan = decided(await planVaeEngine(model, 64, adam, 2))
    model.dispose()
    expect(plan.arithmetic).toBe('kernels')
    expect(plan.note).toMatch(
      /^the kernels \((fma|plain)\) on [12] threads?, timed at [\d.]+ ms per step against the kernels \(\1\) on [12] threads? [\d.]+ ms$/
    )
    const timed = await trainVae(data, config)
    const asked = await trainVae(data, config, {}, { arithmetic: 'kernels', threads: 1 })
    expect(timed.outcome.engine).toMatch(
      /^the kernels \((fma|plain)\) on 1 thread, the only engine that runs it here$/
    )
    expect(asked.outcome.engine).toMatch(/^the kernels \((fma|plain)\) on 1 thread, as asked$/)
    expect(vaeParams(timed.model)).toEqual(vaeParams(asked.model))
    timed.model.dispose()
    asked.model.dispose()
  })
})
