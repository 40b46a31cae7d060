import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import type { CvaeModel } from '../src/ml/cvae'
import { loadImageSet, type ImageSet } from '../src/ml/data/datasets'
import { decode, encode } from '../src/ml/inference'
import { cvaeKind } from '../src/ml/kinds/cvae'
import { trainCvae } from '../src/ml/train-cvae'
import { cvaeExperimentSchema } from '../src/shared/experiments'
import { samplePoints } from '../src/shared/latent'
import { mulberry32 } from '../src/shared/random'
import { datasetsDir } from './helpers'

// The conditional VAE (src/ml/kinds/cvae.ts) trained for real on a slice of MNIST: its loss
// falls, the class it is given changes what it decodes, and after a short training what it
// draws for a class looks like that class to a nearest-class-mean classifier; its networks
// save and load unchanged.

const experiment = cvaeExperimentSchema.parse({
  kind: 'cvae',
  dataset: 'mnist',
  trainSize: 2048,
  hidden: [64],
  latent: 2,
  batchSize: 64,
  learningRate: 0.003,
  epochs: 3,
  seed: 5
})

let model: CvaeModel
const losses: number[] = []
let test: ImageSet
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm', threads: 1 })
  const train = await loadImageSet(datasetsDir, 'mnist', 'train')
  test = await loadImageSet(datasetsDir, 'mnist', 'test')
  const run = await trainCvae({ ...train, size: 784 }, experiment, {
    onEpoch: (record) => losses.push(record.loss)
  })
  expect(run.outcome.status).toBe('completed')
  model = run.model
})
afterAll(() => model?.dispose())

/** Mean image of each class over the first 2,000 test images, values in [0, 1]. */
function classMeans(): number[][] {
  const sums = Array.from({ length: 10 }, () => new Float64Array(784))
  const counts = new Array<number>(10).fill(0)
  for (let i = 0; i < 2000; i++) {
    const label = test.labels[i]!
    counts[label]!++
    for (let k = 0; k < 784; k++) sums[label]![k]! += test.images[i * 784 + k]! / 255
  }
  return sums.map((s, c) => Array.from(s, (v) => v / counts[c]!))
}

const nearest = (image: readonly number[], means: readonly number[][]): number => {
  let best = 0
  let bestDistance = Infinity
  means.forEach((mean, c) => {
    let d = 0
    for (let k = 0; k < 784; k++) d += (image[k]! - mean[k]!) ** 2
    if (d < bestDistance) [best, bestDistance] = [c, d]
  })
  return best
}

describe('the conditional VAE', () => {
  it('trains on MNIST with its loss falling', () => {
    expect(losses).toHaveLength(3)
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 5)
  })

  it('decodes one latent point differently for each class', () => {
    const point = [0.3, -0.4]
    const images = decode(model, new Array(10).fill(point), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (let c = 1; c < 10; c++) {
      const diff = images[c]!.reduce((s, v, k) => s + Math.abs(v - images[0]![k]!), 0) / 784
      expect(diff, `class ${c} against class 0`).toBeGreaterThan(0.02)
    }
  })

  it('draws prior samples that a nearest-class-mean classifier assigns to the class asked for', () => {
    const means = classMeans()
    const points = samplePoints(20, 2, mulberry32(11))
    let right = 0
    for (let c = 0; c < 10; c++)
      for (const image of decode(model, points, [c])) if (nearest(image, means) === c) right++
    // Chance is 1 in 10 (20 of 200): an unconditioned decoder draws the same image for every
    // class, so at most one class in ten of each point can match. This recipe reaches ~0.55.
    expect(right / 200, `${right} of 200`).toBeGreaterThan(0.3)
  })

  it('refuses a class it does not have, and a decode without a class', () => {
    expect(() => decode(model, [[0, 0]], [10])).toThrow(
      "class 10 is not one of this conditional VAE's 10 classes (0-9)"
    )
    expect(() => decode(model, [[0, 0]])).toThrow(/a conditional VAE .* for a class/)
    expect(() => encode(model, [new Array(784).fill(0)], [1, 2])).toThrow(
      'give one class per row (1), or one for all; got 2'
    )
  })

  it('checks stop before every batch: a stop ends the run there with the last step kept', async () => {
    const train = await loadImageSet(datasetsDir, 'mnist', 'train')
    let checks = 0
    const run = await trainCvae(
      { ...train, size: 784 },
      { ...experiment, trainSize: 640, epochs: 2 },
      { control: { checkpoint: () => (++checks > 3 ? 'stop' : 'continue') } }
    )
    run.model.dispose()
    expect(checks).toBe(4)
    expect(run.outcome).toMatchObject({ status: 'stopped', epochs: 0, finalLoss: null })
    expect(run.outcome.message).toBe('stopped by the user during epoch 1')
  })

  it('saves its networks and loads them back unchanged', async () => {
    const networks = await cvaeKind.save(model)
    const loaded = await cvaeKind.load(experiment, networks)
    const points = [
      [0, 0],
      [1.5, -1]
    ]
    expect(decode(loaded, points, [7, 2])).toEqual(decode(model, points, [7, 2]))
    const image = Array.from(test.images.subarray(0, 784), (v) => v / 255)
    expect(encode(loaded, [image], [test.labels[0]!])).toEqual(
      encode(model, [image], [test.labels[0]!])
    )
    loaded.dispose()
  })
})
