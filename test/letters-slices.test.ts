import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { autoencoderSpec, shapeOf } from '../src/ml/autoencoder'
import { chooseBackend } from '../src/ml/backend'
import { flopsPerRow, sliceRowsFor, WORK_PER_CHECK, type Arithmetic } from '../src/ml/full-batch'
import { createDenseTrainer } from '../src/ml/kernels/dense-trainer'
import { trainLetters } from '../src/ml/letters'
import { createPace, Stopped, type Verdict } from '../src/ml/pace'
import type { TrainControl } from '../src/ml/train-autoencoder'
import { mulberry32 } from '../src/shared/random'
import {
  GLYPH_PIXELS,
  letterTrainConfigSchema,
  type Glyph,
  type LetterTrainConfig,
  type OptimizerConfig
} from '../src/shared/schemas'
import { loadFonts } from '../src/ml/data/datasets'
import { datasetsDir } from './helpers'

// A letters epoch in slices of rows, with checks for pause and stop between them (issue 13,
// item 16): every slice's work is bounded for the largest run the schema accepts, the slices
// give the same training as the whole batch (bit for bit on the lab's kernels), a stop inside an
// epoch keeps the weights of the last completed epoch, and a pause resumes where it left off.

let font2: Glyph[] = []
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

const largest = letterTrainConfigSchema.parse({
  font: 'Font1',
  hidden: [512, 512, 512, 512, 512, 512],
  latent: 16,
  activation: 'tanh',
  learningRate: 0.001,
  epochs: 1,
  maxWrongPixels: null,
  seed: 1,
  noise: { kind: 'bitflip', level: 0.1, copies: 200 }
})

/** A small denoising run: 32 glyphs x 3 fresh noisy copies, 96 rows an epoch. */
const small = (optimizer: OptimizerConfig, epochs: number, hidden = [24, 12]): LetterTrainConfig =>
  letterTrainConfigSchema.parse({
    font: 'Font2',
    hidden,
    latent: 2,
    activation: 'tanh',
    optimizer,
    learningRate: optimizer.kind === 'sgd' ? 0.5 : 0.01,
    epochs,
    maxWrongPixels: null,
    seed: 4,
    noise: { kind: 'bitflip', level: 0.05, copies: 3, fresh: true, seed: 2 }
  })

const adam: OptimizerConfig = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
const lbfgs: OptimizerConfig = { kind: 'lbfgs', history: 5 }
const powell: OptimizerConfig = { kind: 'powell' }

const paramsOf = async (
  config: LetterTrainConfig,
  hooks: Parameters<typeof trainLetters>[2] = {},
  options: Parameters<typeof trainLetters>[3] = {}
) => {
  const run = await trainLetters(font2, config, hooks, options)
  const params = Float32Array.from(run.model.theta.dataSync())
  run.model.dispose()
  return { params, outcome: run.outcome }
}

/** A control that answers checkpoints with `continue` and checks between slices with `between`. */
const controlOf = (between: TrainControl['between']): TrainControl => ({
  checkpoint: () => 'continue',
  between
})

describe('letters epochs in slices', () => {
  it('bounds the work of a slice for the largest run the schema accepts', () => {
    const { spec } = autoencoderSpec(shapeOf(largest, GLYPH_PIXELS))
    // The most glyphs a run may carry, each with the most noisy copies.
    const rows = 256 * 200
    for (const arithmetic of ['kernels', 'tfjs'] as Arithmetic[]) {
      const slice = sliceRowsFor(spec, rows, arithmetic)
      expect(slice).toBeLessThan(rows)
      expect(slice * flopsPerRow(spec, 'gradient')).toBeLessThanOrEqual(WORK_PER_CHECK[arithmetic])
    }
    // The whole epoch is hundreds of slices' work: checks between epochs would not do.
    expect(rows * flopsPerRow(spec, 'gradient')).toBeGreaterThan(100 * WORK_PER_CHECK.kernels)
    // An ordinary run's batch is one slice: computed as before, in one piece.
    const ordinary = autoencoderSpec(shapeOf(small(adam, 1, [64, 32]), GLYPH_PIXELS)).spec
    expect(sliceRowsFor(ordinary, 96, 'kernels')).toBe(96)
  })

  it('checks between slices once the budget is spent, and a stop computes no further slice', async () => {
    const ran: number[] = []
    let checks = 0
    const pace = createPace(() => (++checks === 3 ? 'stop' : 'continue'), 250)
    // 10 slices of 10 rows at 10 flops a row: 100 each, a check before every third.
    await expect(pace.rows(100, 10, 10, (r0) => ran.push(r0))).rejects.toBeInstanceOf(Stopped)
    expect(checks).toBe(3)
    expect(ran).toEqual([0, 10, 20, 30, 40, 50])
  })

  it('sums the slices of a batch to the same bits as the whole batch, on the kernels', () => {
    const { spec } = autoencoderSpec(
      shapeOf({ ...small(adam, 1), hidden: [21, 9], activation: 'elu' }, GLYPH_PIXELS)
    )
    const rows = 103
    const random = mulberry32(5)
    const inputs = Float32Array.from({ length: rows * GLYPH_PIXELS }, () => random())
    const targets = Float32Array.from(inputs, (v) => (v > 0.5 ? 1 : 0))
    const theta = Float32Array.from(
      { length: spec.layers.reduce((n, l) => n + (l.inputs + 1) * l.outputs, 0) },
      () => random() - 0.5
    )
    const run = (slice: number) => {
      const trainer = createDenseTrainer(spec, rows, null, slice)
      trainer.theta.set(theta)
      trainer.inputs.set(inputs)
      trainer.targets.set(targets)
      const outputs = trainer.gradient().slice()
      return { outputs, grad: trainer.grad.slice(), forward: trainer.outputs().slice() }
    }
    const whole = run(rows)
    for (const slice of [1, 6, 13, 50]) {
      const sliced = run(slice)
      expect(sliced.grad).toEqual(whole.grad)
      expect(sliced.outputs).toEqual(whole.outputs)
      expect(sliced.forward).toEqual(whole.outputs)
    }
  })

  for (const [name, optimizer, epochs, hidden] of [
    ['adam', adam, 6, [24, 12]],
    ['sgd', { kind: 'sgd', momentum: 0.9, nesterov: true }, 6, [24, 12]],
    ['lbfgs', lbfgs, 3, [24, 12]],
    ['powell', powell, 1, [3]]
  ] as [string, OptimizerConfig, number, number[]][])
    it(`${name}: a run in slices is the same run, bit for bit, on the kernels`, async () => {
      const config = small(optimizer, epochs, hidden)
      const whole = await paramsOf(config, {}, { arithmetic: 'kernels' })
      const sliced = await paramsOf(config, {}, { arithmetic: 'kernels', sliceRows: 7 })
      expect(sliced.params).toEqual(whole.params)
      expect(sliced.outcome).toEqual(whole.outcome)
    }, 120_000)

  it('tfjs: a run in slices is the same run to float32 rounding', async () => {
    const config = small(adam, 4)
    const whole = await paramsOf(config, {}, { arithmetic: 'tfjs' })
    const sliced = await paramsOf(config, {}, { arithmetic: 'tfjs', sliceRows: 10 })
    let worst = 0
    for (let i = 0; i < whole.params.length; i++)
      worst = Math.max(worst, Math.abs(whole.params[i]! - sliced.params[i]!))
    expect(worst).toBeLessThan(1e-5)
    expect(sliced.outcome.finalLoss!).toBeCloseTo(whole.outcome.finalLoss!, 5)
  })

  for (const [name, optimizer, arithmetic, hidden] of [
    ['adam', adam, 'kernels', [24, 12]],
    ['adam', adam, 'tfjs', [24, 12]],
    ['lbfgs', lbfgs, 'kernels', [24, 12]],
    ['powell', powell, 'kernels', [3]]
  ] as [string, OptimizerConfig, Arithmetic, number[]][])
    it(`${name} (${arithmetic}): a stop inside an epoch keeps the weights of the last completed one`, async () => {
      // Slices of 8 rows, a check before each slice but an epoch's first: the stop comes in
      // the middle of epoch 2.
      let checks = 0
      let epochs = 0
      let stopAt = Infinity
      const between = (): Verdict => {
        checks++
        if (epochs === 1 && stopAt === Infinity) stopAt = checks + 1
        return checks >= stopAt ? 'stop' : 'continue'
      }
      const config = small(optimizer, 5, hidden)
      const tensors = tf.memory().numTensors
      const stopped = await paramsOf(
        config,
        { control: controlOf(between), onEpoch: () => epochs++ },
        { arithmetic, sliceRows: 8, workPerCheck: 1 }
      )
      expect(stopped.outcome.status).toBe('stopped')
      expect(stopped.outcome.epochs).toBe(1)
      expect(stopped.outcome.message).toMatch(
        /stopped by the user during epoch 2; kept the weights of epoch 1/
      )
      // No check after the stop but one: the denoising evaluation's first, which stops it too.
      expect(checks).toBe(stopAt + 1)
      expect(stopped.outcome.denoising).toBeNull()
      expect(tf.memory().numTensors).toBe(tensors)
      // (In the same slices: on tfjs, slices agree with the whole batch to rounding only.)
      const oneEpoch = await paramsOf({ ...config, epochs: 1 }, {}, { arithmetic, sliceRows: 8 })
      expect(stopped.params).toEqual(oneEpoch.params)
    }, 120_000)

  it('a long epoch tells how many of its slices are done, after each but the last', async () => {
    const heard: [number, number][] = []
    const onSlice = (done: number, slices: number): number => heard.push([done, slices])
    const options = { arithmetic: 'kernels' as const, sliceRows: 10 }
    await paramsOf(small(adam, 2), { onSlice }, options)
    // 96 rows in slices of 10: ten slices an epoch.
    const epoch = Array.from({ length: 9 }, (_, i) => [i + 1, 10])
    expect(heard).toEqual([...epoch, ...epoch])
    // An L-BFGS epoch is several passes, of which the slices do not tell the share.
    heard.length = 0
    await paramsOf(small(lbfgs, 2), { onSlice }, options)
    expect(heard).toEqual([])
  })

  it('a pause inside an epoch resumes it where it left off', async () => {
    let checks = 0
    let epochs = 0
    let paused: { epochs: number; checks: number } | null = null
    const between = (): Verdict | Promise<Verdict> => {
      checks++
      if (checks !== 5) return 'continue'
      // Paused for a few turns of the event loop: nothing moves meanwhile.
      paused = { epochs, checks }
      return new Promise((resolve) => {
        let turns = 5
        const turn = (): void => {
          expect({ epochs, checks }).toEqual(paused)
          if (--turns === 0) resolve('continue')
          else setImmediate(turn)
        }
        setImmediate(turn)
      })
    }
    const config = small(adam, 4)
    const options = { arithmetic: 'kernels' as const, sliceRows: 8, workPerCheck: 1 }
    const resumed = await paramsOf(
      config,
      { control: controlOf(between), onEpoch: () => epochs++ },
      options
    )
    expect(paused).toEqual({ epochs: 0, checks: 5 })
    const straight = await paramsOf(config, {}, options)
    expect(resumed.params).toEqual(straight.params)
    expect(resumed.outcome).toEqual(straight.outcome)
  })

  it('a stop during the denoising evaluation says so, and keeps the trained run', async () => {
    const config = small(adam, 2)
    let stop = false
    const options = { arithmetic: 'kernels' as const, sliceRows: 8, workPerCheck: 1 }
    const run = await paramsOf(
      config,
      {
        control: controlOf(() => (stop ? 'stop' : 'continue')),
        onEpoch: (record) => (stop = record.epoch === config.epochs)
      },
      options
    )
    expect(run.outcome.status).toBe('completed')
    expect(run.outcome.epochs).toBe(2)
    expect(run.outcome.denoising).toBeNull()
    expect(run.outcome.message).toMatch(/the denoising evaluation was stopped before it finished/)
    expect(run.params).toEqual((await paramsOf(config, {}, options)).params)
  })
})
