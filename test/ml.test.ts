import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, type BackendLoader } from '../src/ml/backend'
import { trainLetters, wrongPixelsPerGlyph } from '../src/ml/train-letters'
import { loadFonts } from '../src/services/datasets'
import type { Glyph, LetterTrainConfig } from '../src/shared/schemas'
import { datasetsDir } from './helpers'

let font2: Glyph[] = []
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

const small: LetterTrainConfig = {
  font: 'Font2',
  hidden: [16],
  latent: 2,
  activation: 'tanh',
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
    expect(choice.note).toMatch(/tensorflow: Cannot find module/)
    expect(tried).toEqual(['tensorflow', 'wasm'])
  })

  it('falls back to the CPU backend when wasm cannot start either', async () => {
    const load: BackendLoader = async (name) => {
      if (name !== 'cpu') throw new Error(`${name} missing`)
    }
    const choice = await chooseBackend({ load })
    expect(choice.backend).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(choice.note).toMatch(/tensorflow missing; wasm: wasm missing/)
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
    const glyphs = font2.slice(0, 8)
    const losses: number[] = []
    const wrong: number[] = []
    const run = await trainLetters(glyphs, small, {
      onEpoch: (s) => {
        losses.push(s.loss)
        wrong.push(s.maxWrongPixels)
      }
    })
    run.model.dispose()
    expect(run.outcome.status).toBe('completed')
    expect(run.outcome.epochs).toBe(600)
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5)
    expect(wrong.at(-1)!).toBeLessThan(wrong[0]!)
    const totalWrong = run.outcome.glyphs.reduce((sum, g) => sum + g.wrongPixels, 0)
    expect(totalWrong).toBeLessThanOrEqual(4)
    expect(run.outcome.glyphs.map((g) => g.latent.length)).toEqual(new Array(8).fill(2))
  })

  it('stops as soon as every glyph meets the wrong-pixel criterion', async () => {
    const run = await trainLetters(font2.slice(0, 4), { ...small, epochs: 5000, maxWrongPixels: 1 })
    run.model.dispose()
    expect(run.outcome.status).toBe('solved')
    expect(run.outcome.epochs).toBeLessThan(5000)
    expect(Math.max(...run.outcome.glyphs.map((g) => g.wrongPixels))).toBeLessThanOrEqual(1)
  })

  it('gives the same run for the same seed, and another for another seed', async () => {
    const lossesOf = async (seed: number): Promise<number[]> => {
      const losses: number[] = []
      const run = await trainLetters(
        font2.slice(0, 6),
        { ...small, epochs: 50, seed },
        { onEpoch: (s) => losses.push(s.loss) }
      )
      run.model.dispose()
      return losses
    }
    const a = await lossesOf(3)
    expect(await lossesOf(3)).toEqual(a)
    expect(await lossesOf(4)).not.toEqual(a)
  })

  it('does not leak tensors across epochs', async () => {
    const counts: number[] = []
    const before = tf.memory().numTensors
    const run = await trainLetters(
      font2,
      { ...small, epochs: 60 },
      { onEpoch: () => counts.push(tf.memory().numTensors) }
    )
    // Flat after the optimizer's slots exist (first update).
    expect(new Set(counts.slice(2)).size).toBe(1)
    run.model.dispose()
    expect(tf.memory().numTensors).toBe(before)
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

  it('stops on a non-finite loss and keeps the last good weights', async () => {
    // A NaN pixel makes the very first loss NaN: the run must stop, not train on garbage.
    const poisoned = font2
      .slice(0, 4)
      .map((g, i) =>
        i === 2 ? { ...g, pixels: g.pixels.map((p, k) => (k === 0 ? Number.NaN : p)) } : g
      )
    const run = await trainLetters(poisoned, { ...small, epochs: 100 })
    const weights = run.model.variables.flatMap((v) => [...v.dataSync()])
    run.model.dispose()
    expect(run.outcome.status).toBe('diverged')
    expect(run.outcome.message).toMatch(/diverged at epoch 1 .*kept the weights of epoch 0/)
    expect(run.outcome.epochs).toBe(0)
    expect(weights.every(Number.isFinite)).toBe(true)
  })

  it('counts wrong pixels after thresholding at 0.5', () => {
    expect(wrongPixelsPerGlyph([0.2, 0.6, 0.5, 0.49], [0, 1, 0, 1], 2)).toEqual([0, 2])
  })
})
