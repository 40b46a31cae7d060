import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { defaultArithmetic, type Arithmetic } from '../src/ml/full-batch'
import { trainLetters } from '../src/ml/letters'
import { trainVae } from '../src/ml/train-vae'
import { loadFonts, loadImageSet } from '../src/ml/data/datasets'
import {
  defaultLetterConfig,
  type Glyph,
  type LetterTrainConfig,
  type OptimizerConfig,
  type VaeTrainConfig
} from '../src/shared/schemas'
import { datasetsDir } from './helpers'

// Training on tfjs's plain CPU backend, where the lab runs when neither tfjs-node nor the wasm
// backend starts: the letters train there with tfjs autodiff and tf.train's optimizers (the
// tfjs path of full-batch.ts), and a VAE asked to train on tfjs ops does the same
// (vae-tfjs.ts). Each model kind learns there, and as it learns on the lab's kernels.

let font2: Glyph[] = []
beforeAll(async () => {
  const choice = await chooseBackend({ preferred: 'cpu' })
  expect(choice.backend).toBe('cpu')
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

describe('letters on the cpu backend', () => {
  it('train with tfjs autodiff there, and solve a whole font with the default recipe', async () => {
    expect(tf.getBackend()).toBe('cpu')
    expect(defaultArithmetic()).toBe('tfjs')
    const run = await trainLetters(font2, defaultLetterConfig)
    run.model.dispose()
    expect(run.outcome.status).toBe('solved')
    expect(run.outcome.epochs).toBeLessThan(1000)
    expect(Math.max(...run.outcome.glyphs.map((g) => g.wrongPixels))).toBeLessThanOrEqual(1)
  })

  const base: LetterTrainConfig = {
    ...defaultLetterConfig,
    hidden: [32],
    subset: [0, 1, 2, 3, 4, 5],
    maxWrongPixels: 0,
    epochs: 3000,
    seed: 2
  }
  for (const [optimizer, learningRate, epochs, schedule] of [
    [{ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 0.01, 3000, undefined],
    [{ kind: 'sgd', momentum: 0.9, nesterov: true }, 1, 3000, undefined],
    [
      { kind: 'rmsprop', decay: 0.9, momentum: 0, epsilon: 1e-7 },
      0.005,
      3000,
      { kind: 'cosine', minimum: 0.001 }
    ],
    [{ kind: 'lbfgs', history: 10 }, 1, 300, undefined]
  ] as [OptimizerConfig, number, number, LetterTrainConfig['schedule'] | undefined][])
    it(`${optimizer.kind} reproduces six glyphs exactly${schedule ? ` on a ${schedule.kind} schedule` : ''}`, async () => {
      const before = tf.memory().numTensors
      const run = await trainLetters(font2, {
        ...base,
        optimizer,
        learningRate,
        epochs,
        schedule: schedule ?? base.schedule
      })
      run.model.dispose()
      expect(run.outcome.status).toBe('solved')
      expect(tf.memory().numTensors).toBe(before)
    })

  it('follow the same trajectory as on the kernels (Adam, 40 epochs)', async () => {
    const losses = async (arithmetic: Arithmetic): Promise<number[]> => {
      const out: number[] = []
      const run = await trainLetters(
        font2,
        { ...defaultLetterConfig, epochs: 40, maxWrongPixels: null },
        { onEpoch: (r) => out.push(r.loss) },
        { arithmetic }
      )
      run.model.dispose()
      return out
    }
    const kernels = await losses('kernels')
    const autodiff = await losses('tfjs')
    expect(autodiff).toHaveLength(40)
    expect(autodiff.at(-1)!).toBeLessThan(autodiff[0]! * 0.5)
    autodiff.forEach((loss, i) =>
      expect(Math.abs(loss / kernels[i]! - 1), `epoch ${i + 1}`).toBeLessThan(1e-3)
    )
  })

  it('a denoising autoencoder removes noise it has not seen', async () => {
    const run = await trainLetters(font2, {
      ...defaultLetterConfig,
      hidden: [64, 32],
      latent: 8,
      learningRate: 0.01,
      epochs: 150,
      maxWrongPixels: null,
      noise: { kind: 'bitflip', level: 0.1, copies: 4, fresh: true, seed: 4 }
    })
    run.model.dispose()
    const fresh = run.outcome.denoising!.freshNoise
    expect(fresh.meanWrongBefore).toBeGreaterThan(2.5)
    expect(fresh.meanWrongAfter).toBeLessThan(fresh.meanWrongBefore / 2)
  })
})

describe('a VAE on the cpu backend', () => {
  it('learns on real MNIST with tfjs autodiff as on the kernels, without tensor growth', async () => {
    const set = await loadImageSet(datasetsDir, 'mnist', 'train')
    const data = { count: set.count, images: set.images, size: 784 }
    const config: VaeTrainConfig = {
      dataset: 'mnist',
      trainSize: 512,
      hidden: [64],
      latent: 2,
      activation: 'relu',
      beta: 1,
      epochs: 3,
      batchSize: 64,
      learningRate: 0.003,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      schedule: { kind: 'exponential', rate: 0.9 },
      seed: 8
    }
    const run = async (arithmetic: Arithmetic): Promise<{ parts: number[]; tensors: number[] }> => {
      const parts: number[] = []
      const tensors: number[] = []
      const result = await trainVae(
        data,
        config,
        {
          onEpoch: (r) => {
            parts.push(r.reconstruction, r.kl)
            tensors.push(tf.memory().numTensors)
          }
        },
        { arithmetic, threads: 1 }
      )
      expect(result.outcome.status).toBe('completed')
      expect(result.outcome.engine).toMatch(arithmetic === 'tfjs' ? /tfjs ops on cpu/ : /kernels/)
      result.model.dispose()
      return { parts, tensors }
    }
    const before = tf.memory().numTensors
    const autodiff = await run('tfjs')
    expect(tf.memory().numTensors).toBe(before)
    expect(new Set(autodiff.tensors).size).toBe(1)
    const kernels = await run('kernels')
    // The reconstruction term falls, and both engines agree epoch by epoch.
    expect(autodiff.parts[4]!).toBeLessThan(autodiff.parts[0]! * 0.9)
    autodiff.parts.forEach((value, i) =>
      expect(Math.abs(value / kernels.parts[i]! - 1), `value ${i}`).toBeLessThan(2e-3)
    )
  })
})
