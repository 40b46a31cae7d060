import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { loadImageSet, type ImageSet } from '../src/ml/data/datasets'
import { vaeTestLoss } from '../src/ml/kinds/vae'
import { batchPixels, trainVae } from '../src/ml/train-vae'
import { createVae, vaeLoss, vaeParams, type VaeShape } from '../src/ml/vae'
import { sharedStart, writeSharedStart } from '../src/cli/bench-quality-start'
import { runReference } from '../src/cli/reference'
import type { VaeTrainConfig } from '../src/shared/schemas'
import { datasetsDir } from './helpers'

// `bench vae-quality --same-start` gives PyTorch the lab's own draws (initial weights, data
// order, reparameterisation noise) so that the two sides' test losses can be compared seed by
// seed. These tests hold the lab's runs to those draws and to the textbook step (the gradient
// of the loss, then Adam as written in Kingma & Ba's algorithm 1), and, where PyTorch is
// installed, PyTorch's run from the same draws to the lab's: a few steps of a small VAE on real
// MNIST images.

let train: ImageSet
let test: ImageSet
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  train = await loadImageSet(datasetsDir, 'mnist', 'train')
  test = await loadImageSet(datasetsDir, 'mnist', 'test')
})

const shape: VaeShape = { inputSize: 784, hidden: [16], latent: 2, activation: 'relu' }
const config: VaeTrainConfig = {
  dataset: 'mnist',
  trainSize: 256,
  hidden: [...shape.hidden],
  latent: 2,
  activation: 'relu',
  beta: 1,
  epochs: 2,
  batchSize: 64,
  learningRate: 0.003,
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, epsilonForm: 'pytorch' },
  schedule: { kind: 'constant' },
  seed: 3
}
const batches = config.trainSize / config.batchSize
/** The first 1,000 test images (the benchmark takes all 10,000). */
const TEST_COUNT = 1000

interface LabRun {
  params: Float32Array
  trainLosses: number[]
  test: number
}

/** The lab's engines: its kernels, and tfjs autodiff on the wasm and on the cpu backend. */
const engines = ['kernels', 'tfjs on wasm', 'tfjs on cpu'] as const
type Engine = (typeof engines)[number]
const runs = new Map<Engine, Promise<LabRun>>()

/** The small run on one engine (once per file). */
function labRun(engine: Engine): Promise<LabRun> {
  let run = runs.get(engine)
  if (!run) {
    run = (async () => {
      const backend = engine === 'tfjs on cpu' ? 'cpu' : 'wasm'
      expect(await tf.setBackend(backend)).toBe(true)
      try {
        const trainLosses: number[] = []
        const { model, outcome } = await trainVae(
          { count: train.count, images: train.images, size: 784 },
          config,
          { onEpoch: (record) => trainLosses.push(record.loss) },
          { arithmetic: engine === 'kernels' ? 'kernels' : 'tfjs', threads: 1 }
        )
        expect(outcome.status).toBe('completed')
        expect(outcome.engine).toContain(
          engine === 'kernels' ? 'kernels' : `tfjs ops on ${backend}`
        )
        const loss = vaeTestLoss(
          model,
          { count: TEST_COUNT, images: test.images, size: 784 },
          1,
          config.seed
        )
        const params = vaeParams(model)
        model.dispose()
        return { params, trainLosses, test: loss.reconstruction + loss.kl }
      } finally {
        await tf.setBackend('wasm')
      }
    })()
    runs.set(engine, run)
  }
  return run
}

const drawsFor = (): ReturnType<typeof sharedStart> =>
  sharedStart(shape, config.seed, {
    count: config.trainSize,
    batchSize: config.batchSize,
    epochs: config.epochs,
    testCount: TEST_COUNT
  })

const relativeGap = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0
  let scale = 0
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!))
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
  return worst / scale
}

describe("the VAE's runs follow the draws the quality benchmark gives PyTorch", () => {
  it('a run takes the textbook steps from the shared start, on the kernels and on tfjs ops (wasm, cpu)', async () => {
    const draws = drawsFor()
    // The textbook: the gradient of the loss (tf.grads of vaeLoss, which the engine tests hold
    // to the formulas) and Adam with epsilon added to the bias-corrected root, in float64.
    const model = createVae(shape, 0, draws.params)
    const theta = Float64Array.from(draws.params)
    const m = new Float64Array(theta.length)
    const v = new Float64Array(theta.length)
    const { beta1: b1, beta2: b2, epsilon } = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    const pixels = new Float32Array(config.batchSize * 784)
    let t = 0
    for (let e = 0; e < config.epochs; e++)
      for (let b = 0; b < batches; b++) {
        const order = draws.order.subarray(e * config.trainSize + b * config.batchSize)
        batchPixels({ ...train, size: 784 }, order.subarray(0, config.batchSize), pixels)
        const at = (e * batches + b) * config.batchSize * 2
        const noise = draws.noise.subarray(at, at + config.batchSize * 2)
        const grad = tf.tidy(() => {
          const x = tf.tensor2d(pixels, [config.batchSize, 784])
          const eps = tf.tensor2d(noise, [config.batchSize, 2])
          const grads = tf.grads((...vars: tf.Tensor[]) => {
            const loss = vaeLoss(model, x, eps, vars)
            return tf.add(loss.reconstruction, loss.kl) as tf.Scalar
          })(model.variables)
          return grads.flatMap((g) => Array.from(g.dataSync()))
        })
        t++
        for (let i = 0; i < theta.length; i++) {
          m[i] = b1 * m[i]! + (1 - b1) * grad[i]!
          v[i] = b2 * v[i]! + (1 - b2) * grad[i]! ** 2
          const mHat = m[i]! / (1 - b1 ** t)
          const vHat = v[i]! / (1 - b2 ** t)
          theta[i] = theta[i]! - (config.learningRate * mHat) / (Math.sqrt(vHat) + epsilon)
        }
        let offset = 0
        for (const variable of model.variables) {
          const part = Float32Array.from(theta.subarray(offset, offset + variable.size))
          tf.tidy(() => variable.assign(tf.tensor(part, variable.shape)))
          offset += variable.size
        }
      }
    model.dispose()
    for (const engine of engines) {
      const run = await labRun(engine)
      expect(relativeGap(run.params, theta), engine).toBeLessThan(1e-4)
    }
  })

  // PyTorch starts in a separate process that imports torch twice (runReference's probe, then
  // the run): about 2 s of CPU, and on this shared build machine half a minute or more.
  it(
    'PyTorch from the same draws takes the same steps and reaches the same test loss',
    { timeout: 240_000 },
    async (context) => {
      const dir = mkdtempSync(join(tmpdir(), 'lab-parity-'))
      try {
        writeSharedStart(dir, drawsFor())
        const ref = runReference([
          'vae-quality',
          '--seed',
          String(config.seed),
          '--epochs',
          String(config.epochs),
          '--samples',
          String(config.trainSize),
          '--hidden',
          shape.hidden.join('-'),
          '--latent',
          '2',
          '--batch',
          String(config.batchSize),
          '--lr',
          String(config.learningRate),
          '--shared',
          dir,
          '--adam-eps',
          '1e-8',
          '--adam-eps-form',
          'torch',
          '--test-samples',
          String(TEST_COUNT)
        ])
        // The textbook test above covers the lab's side where PyTorch is missing.
        if ('skipped' in ref) return context.skip(ref.skipped)
        const line = ref.lines[0]!
        const trainLosses = line['trainLosses'] as number[]
        const testLoss = Number(line['testLoss'])
        expect(trainLosses).toHaveLength(config.epochs)
        for (const engine of engines) {
          const run = await labRun(engine)
          run.trainLosses.forEach((loss, e) =>
            expect(Math.abs(loss / trainLosses[e]! - 1), `${engine}, epoch ${e + 1}`).toBeLessThan(
              1e-4
            )
          )
          expect(Math.abs(run.test / testLoss - 1), engine).toBeLessThan(1e-4)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )
})
