import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, type BackendLoader } from '../src/ml/backend'
import { trainLetters } from '../src/ml/letters'
import { wrongPixels } from '../src/ml/autoencoder'
import { loadFonts } from '../src/ml/data/datasets'
import {
  defaultLetterConfig,
  type Glyph,
  type LetterTrainConfig,
  type OptimizerConfig
} from '../src/shared/schemas'
import { datasetsDir, differing } from './helpers'

let font2: Glyph[] = []
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

const small: LetterTrainConfig = {
  ...defaultLetterConfig,
  hidden: [16],
  learningRate: 0.01,
  epochs: 600,
  maxWrongPixels: null,
  seed: 7
}

describe('backend choice', () => {
  it('falls back from an absent tfjs-node to wasm and says why', async () => {
    const tried: string[] = []
    const load: BackendLoader = async (name) => {
      tried.push(name)
      if (name === 'tensorflow') throw new Error("Cannot find module '@tensorflow/tfjs-node'")
    }
    const choice = await chooseBackend({ load })
    expect(choice.backend).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    // Information, not an error: tfjs-node is optional.
    expect(choice.note).toMatch(
      /^wasm \(\d+ threads?\) \(the optional native backend \(@tensorflow\/tfjs-node\) is not installed\)$/
    )
    expect(tried).toEqual(['tensorflow', 'wasm'])
  })

  it('falls back to the CPU backend when wasm cannot start either', async () => {
    const load: BackendLoader = async (name) => {
      if (name !== 'cpu') throw new Error(`${name} missing`)
    }
    const choice = await chooseBackend({ load })
    expect(choice.backend).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(choice.note).toBe(
      'cpu (tensorflow did not start: tensorflow missing; wasm did not start: wasm missing)'
    )
    await chooseBackend({ preferred: 'wasm' })
  })

  it('tries a forced backend first and fails clearly when nothing loads', async () => {
    const tried: string[] = []
    await chooseBackend({ preferred: 'cpu', load: async (name) => void tried.push(name) })
    expect(tried).toEqual(['cpu'])
    await expect(
      chooseBackend({ load: async () => Promise.reject(new Error('nope')) })
    ).rejects.toThrow(/no TensorFlow.js backend could start/)
    await chooseBackend({ preferred: 'wasm' })
  })
})

describe('letters autoencoder', () => {
  it('learns: the loss falls and reconstructions improve', async () => {
    const losses: number[] = []
    const wrong: number[] = []
    const run = await trainLetters(
      font2,
      { ...small, subset: [0, 1, 2, 3, 4, 5, 6, 7] },
      {
        onEpoch: (r) => {
          losses.push(r.loss)
          wrong.push(r.maxWrongPixels)
        }
      }
    )
    run.model.dispose()
    expect(run.outcome.status).toBe('completed')
    expect(run.outcome.epochs).toBe(600)
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.2)
    expect(wrong.at(-1)!).toBeLessThan(wrong[0]!)
    expect(run.outcome.glyphs.map((g) => g.char)).toEqual(['@', 'A', 'B', 'C', 'D', 'E', 'F', 'G'])
    expect(run.outcome.glyphs.reduce((sum, g) => sum + g.wrongPixels, 0)).toBeLessThanOrEqual(4)
    expect(run.outcome.glyphs.every((g) => g.latent.length === 2)).toBe(true)
  })

  it('solves a whole font with the default recipe and stops at the criterion', async () => {
    const run = await trainLetters(font2, defaultLetterConfig)
    run.model.dispose()
    expect(run.outcome.status).toBe('solved')
    expect(run.outcome.epochs).toBeLessThan(1000)
    expect(Math.max(...run.outcome.glyphs.map((g) => g.wrongPixels))).toBeLessThanOrEqual(1)
  })

  it('gives the same run for the same seed, and another for another seed', async () => {
    const lossesOf = async (seed: number): Promise<number[]> => {
      const losses: number[] = []
      const run = await trainLetters(
        font2,
        { ...small, epochs: 50, seed },
        { onEpoch: (r) => losses.push(r.loss) }
      )
      run.model.dispose()
      return losses
    }
    const a = await lossesOf(3)
    expect(await lossesOf(3)).toEqual(a)
    expect(await lossesOf(4)).not.toEqual(a)
  })

  for (const arithmetic of ['kernels', 'tfjs'] as const)
    it(`keeps the tensor count flat across epochs, for every optimizer (${arithmetic})`, async () => {
      const optimizers: OptimizerConfig[] = [
        { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
        { kind: 'sgd', momentum: 0.9, nesterov: true },
        { kind: 'rmsprop', decay: 0.9, momentum: 0.5, epsilon: 1e-7 },
        { kind: 'lbfgs', history: 5 }
      ]
      for (const optimizer of optimizers) {
        const before = tf.memory().numTensors
        const counts: number[] = []
        const run = await trainLetters(
          font2,
          { ...small, optimizer, epochs: 40 },
          { onEpoch: () => counts.push(tf.memory().numTensors) },
          { arithmetic }
        )
        expect(new Set(counts).size, optimizer.kind).toBe(1)
        run.model.dispose()
        expect(tf.memory().numTensors, optimizer.kind).toBe(before)
      }
    })

  it('stops at a checkpoint on request', async () => {
    let epochs = 0
    const run = await trainLetters(
      font2,
      { ...small, epochs: 100000 },
      {
        onEpoch: () => epochs++,
        control: { checkpoint: () => (epochs >= 25 ? 'stop' : 'continue') }
      }
    )
    run.model.dispose()
    expect(run.outcome.status).toBe('stopped')
    expect(run.outcome.epochs).toBe(25)
    expect(run.outcome.glyphs).toHaveLength(32)
  })

  for (const arithmetic of ['kernels', 'tfjs'] as const)
    it(`stops a diverging run with a clear message and keeps the weights it names (${arithmetic})`, async () => {
      // SGD with a huge step through linear layers grows the weights geometrically until they overflow.
      // The weights as a host sees them at each checkpoint (current()), by epochs done.
      const seen = new Map<number, Float32Array>()
      let done = 0
      const run = await trainLetters(
        font2,
        {
          ...small,
          hidden: [64, 64],
          activation: 'linear',
          optimizer: { kind: 'sgd', momentum: 0.99, nesterov: false },
          learningRate: 10,
          epochs: 5000
        },
        {
          onEpoch: () => done++,
          control: {
            checkpoint: (current) => {
              const model = current()
              if (model.kind === 'autoencoder')
                seen.set(done, Float32Array.from(model.theta.dataSync()))
              return 'continue'
            }
          }
        },
        { arithmetic }
      )
      const weights = Float32Array.from(run.model.theta.dataSync())
      run.model.dispose()
      expect(run.outcome.status).toBe('diverged')
      expect(run.outcome.message).toMatch(
        /diverged at epoch \d+ .*kept the weights of epoch \d+.*lower learning rate/
      )
      const kept = Number(/kept the weights of epoch (\d+)/.exec(run.outcome.message)![1])
      expect(done).toBeGreaterThan(kept)
      expect(differing(weights, seen.get(kept))).toBe(0)
      expect(weights.every(Number.isFinite)).toBe(true)
      expect(run.outcome.glyphs.every((g) => g.latent.every(Number.isFinite))).toBe(true)
    })

  it('follows the learning-rate schedule', async () => {
    const rates: number[] = []
    const run = await trainLetters(
      font2,
      { ...small, epochs: 7, schedule: { kind: 'step', every: 3, factor: 0.5 } },
      { onEpoch: (r) => rates.push(r.learningRate) }
    )
    run.model.dispose()
    expect(rates).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025])
  })

  it('rejects a subset index outside the font', async () => {
    await expect(trainLetters(font2, { ...small, subset: [0, 99] })).rejects.toThrow(
      /glyph 99 is not in the set/
    )
  })

  it('counts wrong pixels after thresholding at 0.5', () => {
    expect(wrongPixels([0.2, 0.6, 0.5, 0.49], [0, 1, 0, 1], 2)).toEqual([0, 2])
  })
})
