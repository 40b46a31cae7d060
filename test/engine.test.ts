import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  autoencoderLogits,
  createAutoencoder,
  meanBce,
  type AutoencoderShape
} from '../src/ml/autoencoder'
import { chooseBackend } from '../src/ml/backend'
import { createDenseTrainer } from '../src/ml/kernels/dense-trainer'
import { loadLayersModel, loadNetworkParams, saveNetwork } from '../src/ml/export'
import {
  decode,
  decodeGrid,
  denoise,
  encode,
  generate,
  interpolate,
  normalQuantile
} from '../src/ml/inference'
import { trainLetters } from '../src/ml/letters'
import { corrupt, noisyCopies } from '../src/shared/noise'
import { mulberry32 } from '../src/shared/random'
import { createOptimizer } from '../src/ml/optimizers'
import { batchPixels, trainVae } from '../src/ml/train-vae'
import { createVae, vaeLoss, vaeParams, type VaeModel } from '../src/ml/vae'
import { createVaeKernels } from '../src/ml/kernels/vae'
import { createFullBatch, type Arithmetic } from '../src/ml/full-batch'
import type {
  Activation,
  Glyph,
  LetterTrainConfig,
  OptimizerConfig,
  VaeTrainConfig
} from '../src/shared/schemas'
import { defaultLetterConfig } from '../src/shared/schemas'
import { loadFonts, loadImageSet } from '../src/ml/data/datasets'
import { datasetsDir, differing } from './helpers'

let font2: Glyph[] = []
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

const maxRelativeError = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0
  let scale = 0
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!))
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (scale + 1e-12))
  return worst
}

describe('the per-epoch loss', () => {
  const plain = (o: number[], y: number[]): number =>
    -y.reduce((sum, t, i) => {
      const p = Math.min(1 - 1e-7, Math.max(1e-7, o[i]!))
      return sum + t * Math.log(p) + (1 - t) * Math.log(1 - p)
    }, 0) / y.length

  it('equals the textbook binary cross-entropy for 0/1, fractional and mixed targets', () => {
    const random = mulberry32(4)
    for (const [n, kind] of [
      [1120, 'binary'],
      [37, 'binary'],
      [50, 'fractional'],
      [333, 'mixed']
    ] as const) {
      // Outputs include exact 0 and 1 (clamped) and values near them.
      const o = Array.from({ length: n }, (_, i) =>
        i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : random() ** 3
      )
      const y = Array.from({ length: n }, () =>
        kind === 'binary' || (kind === 'mixed' && random() < 0.7)
          ? random() < 0.4
            ? 1
            : 0
          : random()
      )
      const expected = plain(o, y)
      expect(Math.abs(meanBce(o, y) - expected) / expected, `${n} ${kind}`).toBeLessThan(1e-12)
    }
  })

  it('is NaN when an output is (a diverged network)', () => {
    expect(meanBce([0.5, Number.NaN, 0.2], [1, 0, 0])).toBeNaN()
  })
})

describe("the kernels' hand-derived gradients match tf.grad", () => {
  // Widths 35-12-6-2 and 35-20-3 cover every path of the kernels' products: 16-wide and 4-wide
  // column blocks and the scalar tails.
  for (const [activation, hidden, latentActivation] of [
    ['tanh', [12, 6], 'linear'],
    ['relu', [12, 6], 'linear'],
    ['elu', [12, 6], 'linear'],
    ['sigmoid', [12, 6], 'linear'],
    ['tanh', [20], 'tanh'],
    ['elu', [20], 'relu']
  ] as [Activation, number[], Activation][]) {
    it(`autoencoder ${hidden.join('-')} with ${activation} layers, ${latentActivation} latent: the wasm kernels and the tfjs path`, async () => {
      const shape: AutoencoderShape = {
        inputSize: 35,
        hidden,
        latent: hidden.length === 1 ? 3 : 2,
        activation,
        latentActivation
      }
      const model = createAutoencoder(shape, 5)
      const x = tf.tensor2d(
        font2.slice(0, 6).flatMap((g) => g.pixels),
        [6, 35]
      )
      // The loss written with plain ops, differentiated by tf.grad: the oracle.
      const reference = tf.tidy(() =>
        tf
          .grad((theta: tf.Tensor) => {
            const logits = tf.tidy(() => {
              const parts = tf.split(
                theta,
                model.spec.layers.flatMap((l) => [l.inputs * l.outputs, l.outputs])
              )
              let h: tf.Tensor2D = x
              model.spec.layers.forEach((layer, i) => {
                const z = tf.add(
                  tf.matMul(h, tf.reshape(parts[2 * i]!, [layer.inputs, layer.outputs])),
                  parts[2 * i + 1]!
                ) as tf.Tensor2D
                const last = i === model.spec.layers.length - 1
                h =
                  last || layer.activation === 'linear'
                    ? z
                    : (tf[layer.activation] as (t: tf.Tensor2D) => tf.Tensor2D)(z)
              })
              return h
            })
            return tf.mean(
              tf.sub(
                tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
                tf.mul(logits, x)
              )
            )
          })(model.theta)
          .dataSync()
      )
      // The tfjs path's gradient (autodiff of tf.losses' cross-entropy) at the same weights.
      const pixels = x.dataSync() as Float32Array
      const onTfjs = createFullBatch(
        model,
        pixels,
        pixels,
        { kind: 'lbfgs', history: 2 },
        { arithmetic: 'tfjs' }
      )
      const tfjsPath = await onTfjs.lossAndGrad(Float32Array.from(model.theta.dataSync()))
      onTfjs.dispose()
      expect(maxRelativeError(tfjsPath.grad, reference)).toBeLessThan(1e-4)
      const kernels = createDenseTrainer(model.spec, 6, null)
      kernels.theta.set(model.theta.dataSync())
      kernels.inputs.set(pixels)
      kernels.targets.set(pixels)
      const outputs = tf.tidy(() => tf.sigmoid(autoencoderLogits(model, model.theta, x)).dataSync())
      expect(maxRelativeError(tfjsPath.outputs, outputs)).toBeLessThan(1e-6)
      expect(maxRelativeError(kernels.gradient(), outputs)).toBeLessThan(1e-6)
      expect(maxRelativeError(kernels.grad, reference)).toBeLessThan(1e-4)
      expect(maxRelativeError(kernels.outputs(), outputs)).toBeLessThan(1e-6)
      x.dispose()
      model.dispose()
    })
  }

  // Batches and images of several sizes (the kernels' vector loops have scalar tails).
  for (const [rows, size] of [
    [16, 784],
    [3, 18],
    [3, 7]
  ] as const) {
    it(`variational autoencoder: both loss parts equal the textbook formulas (${rows} x ${size})`, () => {
      const model = createVae({ inputSize: size, hidden: [6], latent: 2, activation: 'relu' }, 4)
      const random = mulberry32(21)
      const xs = Array.from({ length: rows * size }, () => (random() < 0.3 ? random() : 0))
      const es = Array.from({ length: rows * 2 }, () => random() * 2 - 1)
      const step = tf.tidy(() => {
        const r = vaeLoss(model, tf.tensor2d(xs, [rows, size]), tf.tensor2d(es, [rows, 2]))
        return { reconstruction: r.reconstruction.dataSync()[0]!, kl: r.kl.dataSync()[0]! }
      })
      // The same network in float64 JS: encoder, reparameterisation, decoder, BCE and KL.
      const w = model.variables.map((v) => Array.from(v.dataSync()))
      const dense = (x: number[], k: number[], b: number[], out: number, relu: boolean): number[] =>
        b.slice(0, out).map((bias, o) => {
          const z = x.reduce((sum, xi, i) => sum + xi * k[i * out + o]!, bias)
          return relu ? Math.max(0, z) : z
        })
      let bce = 0
      let kl = 0
      for (let r = 0; r < rows; r++) {
        const x = xs.slice(r * size, (r + 1) * size)
        const stats = dense(dense(x, w[0]!, w[1]!, 6, true), w[2]!, w[3]!, 4, false)
        const [mu0, mu1, lv0, lv1] = stats as [number, number, number, number]
        const z = [mu0 + Math.exp(lv0 / 2) * es[2 * r]!, mu1 + Math.exp(lv1 / 2) * es[2 * r + 1]!]
        const logits = dense(dense(z, w[4]!, w[5]!, 6, true), w[6]!, w[7]!, size, false)
        logits.forEach((l, i) => {
          bce += Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - l * x[i]!
        })
        kl += -0.5 * (2 + lv0 + lv1 - mu0 ** 2 - mu1 ** 2 - Math.exp(lv0) - Math.exp(lv1))
      }
      expect(step.reconstruction).toBeCloseTo(bce / rows, 2)
      expect(Math.abs(step.reconstruction - bce / rows) / (bce / rows)).toBeLessThan(1e-5)
      expect(step.kl).toBeCloseTo(kl / rows, 5)
      model.dispose()
    })
  }
})

describe('optimizers', () => {
  const base: LetterTrainConfig = {
    ...defaultLetterConfig,
    hidden: [32],
    subset: [0, 1, 2, 3, 4, 5],
    maxWrongPixels: 0,
    epochs: 3000,
    seed: 2
  }
  const cases: [OptimizerConfig, number, number][] = [
    [{ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 0.01, 3000],
    [{ kind: 'sgd', momentum: 0.9, nesterov: false }, 2, 3000],
    [{ kind: 'sgd', momentum: 0.9, nesterov: true }, 1, 3000],
    [{ kind: 'rmsprop', decay: 0.9, momentum: 0, epsilon: 1e-7 }, 0.005, 3000],
    [{ kind: 'lbfgs', history: 10 }, 1, 300]
  ]
  // The textbook updates, in float64, against tf.train's as the lab sets them up (optimizers.ts)
  // and the kernels' (which rearrange the algebra to save work on large layers), over a few
  // steps with changing gradients and a learning rate that changes every step (schedules).
  const textbook: Record<
    'adam' | 'sgd' | 'rmsprop',
    (c: OptimizerConfig) => (p: number[], g: number[], t: number, lr: number) => void
  > = {
    adam: (c) => {
      const {
        beta1: b1,
        beta2: b2,
        epsilon,
        epsilonForm
      } = c as Extract<OptimizerConfig, { kind: 'adam' }>
      const m: number[] = []
      const v: number[] = []
      return (p, g, t, lr) =>
        p.forEach((_, i) => {
          m[i] = b1 * (m[i] ?? 0) + (1 - b1) * g[i]!
          v[i] = b2 * (v[i] ?? 0) + (1 - b2) * g[i]! ** 2
          if (epsilonForm === 'pytorch') {
            // Kingma & Ba's algorithm 1, as torch.optim.Adam computes it.
            const mHat = m[i]! / (1 - b1 ** t)
            const vHat = v[i]! / (1 - b2 ** t)
            p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + epsilon)
            return
          }
          const rate = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)
          p[i] = p[i]! - (rate * m[i]!) / (Math.sqrt(v[i]!) + epsilon)
        })
    },
    sgd: (c) => {
      const { momentum: mu, nesterov } = c as Extract<OptimizerConfig, { kind: 'sgd' }>
      const vel: number[] = []
      return (p, g, _t, lr) =>
        p.forEach((_, i) => {
          vel[i] = mu * (vel[i] ?? 0) + g[i]!
          p[i] = p[i]! - lr * (nesterov ? g[i]! + mu * vel[i]! : vel[i]!)
        })
    },
    rmsprop: (c) => {
      const { decay, momentum, epsilon } = c as Extract<OptimizerConfig, { kind: 'rmsprop' }>
      const sq: number[] = []
      const vel: number[] = []
      return (p, g, _t, lr) =>
        p.forEach((_, i) => {
          sq[i] = decay * (sq[i] ?? 0) + (1 - decay) * g[i]! ** 2
          vel[i] = momentum * (vel[i] ?? 0) + (lr * g[i]!) / (Math.sqrt(sq[i]!) + epsilon)
          p[i] = p[i]! - vel[i]!
        })
    }
  }
  for (const [config, lr] of [
    [{ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 0.01],
    [{ kind: 'adam', beta1: 0.5, beta2: 0.9, epsilon: 0.1 }, 0.3],
    [{ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, epsilonForm: 'pytorch' }, 0.01],
    [{ kind: 'adam', beta1: 0.5, beta2: 0.9, epsilon: 0.1, epsilonForm: 'pytorch' }, 0.3],
    [{ kind: 'sgd', momentum: 0.9, nesterov: false }, 0.1],
    [{ kind: 'sgd', momentum: 0.8, nesterov: true }, 0.1],
    [{ kind: 'sgd', momentum: 0, nesterov: false }, 0.1],
    [{ kind: 'rmsprop', decay: 0.9, momentum: 0.5, epsilon: 1e-3 }, 0.01],
    [{ kind: 'rmsprop', decay: 0.9, momentum: 0, epsilon: 1e-7 }, 0.01]
  ] as [Extract<OptimizerConfig, { kind: 'adam' | 'sgd' | 'rmsprop' }>, number][]) {
    it(`${config.kind} ${JSON.stringify(config)} takes the textbook steps, with tf.train and in the wasm kernels`, () => {
      const random = mulberry32(17)
      // 13 parameters: the kernels' optimizer loops run over a vector padded to 16.
      const start = Array.from({ length: 13 }, () => random() * 2 - 1)
      const expected = [...start]
      const step = textbook[config.kind](config)
      const before = tf.memory().numTensors
      const optimizer = createOptimizer(config)
      const theta = tf.tidy(() => tf.variable(tf.tensor1d(start)))
      const kernels = createDenseTrainer(
        { layers: [{ inputs: 12, outputs: 1, activation: 'sigmoid' }] },
        1,
        config
      )
      kernels.theta.set(start)
      for (let t = 1; t <= 6; t++) {
        // Gradients of mixed sizes, some tiny (where epsilon matters), one zero.
        const g = start.map((_, i) => (i === 3 ? 0 : (random() - 0.3) * 10 ** -(i % 5)))
        const rate = lr * 0.8 ** (t - 1)
        step(expected, g, t, rate)
        const grad = tf.tensor1d(g)
        optimizer.setLearningRate(rate)
        optimizer.applyGradients([{ name: theta.name, tensor: grad }])
        grad.dispose()
        kernels.grad.set(g)
        kernels.step(rate, t)
      }
      for (const got of [Array.from(theta.dataSync()), Array.from(kernels.theta)]) {
        got.forEach((value, i) => expect(value, `parameter ${i}`).toBeCloseTo(expected[i]!, 5))
        expect(got).not.toEqual(start.map((v) => Math.fround(v)))
      }
      optimizer.dispose()
      theta.dispose()
      // The optimizer's state is freed with it.
      expect(tf.memory().numTensors).toBe(before)
    })
  }

  for (const [optimizer, learningRate, epochs] of cases) {
    it(`${optimizer.kind}${'nesterov' in optimizer && optimizer.nesterov ? ' (Nesterov)' : ''} reproduces six glyphs exactly`, async () => {
      const run = await trainLetters(font2, { ...base, optimizer, learningRate, epochs })
      run.model.dispose()
      expect(run.outcome.status).toBe('solved')
    })
  }

  it("Powell's method lowers the loss of a small network without gradients", async () => {
    const losses: number[] = []
    const run = await trainLetters(
      font2,
      {
        ...base,
        hidden: [4],
        subset: [0, 1, 2, 3],
        optimizer: { kind: 'powell' },
        epochs: 3,
        maxWrongPixels: null
      },
      { onEpoch: (r) => losses.push(r.loss) }
    )
    run.model.dispose()
    expect(losses).toHaveLength(3)
    expect(losses[2]!).toBeLessThan(0.5 * 0.69)
  })

  it("refuses Powell's method for a large network", async () => {
    await expect(
      trainLetters(font2, { ...base, hidden: [128, 64], optimizer: { kind: 'powell' } })
    ).rejects.toThrow(/Powell's method is for small networks/)
  })
})

describe('noise', () => {
  const clean = new Float32Array(100_000).map((_, i) => i % 2)
  it('bit flips flip a fraction p of pixels', () => {
    const noisy = corrupt(clean, 'bitflip', 0.2, mulberry32(1))
    const flipped = noisy.filter((v, i) => v !== clean[i]).length / clean.length
    expect(flipped).toBeGreaterThan(0.195)
    expect(flipped).toBeLessThan(0.205)
    expect(noisy.every((v) => v === 0 || v === 1)).toBe(true)
  })

  it('salt-and-pepper replaces a fraction p of pixels by 0 or 1, half each', () => {
    const grey = new Float32Array(100_000).fill(0.5)
    const noisy = corrupt(grey, 'salt-pepper', 0.3, mulberry32(2))
    const salt = noisy.filter((v) => v === 1).length / grey.length
    const pepper = noisy.filter((v) => v === 0).length / grey.length
    expect(salt + pepper).toBeGreaterThan(0.295)
    expect(salt + pepper).toBeLessThan(0.305)
    expect(Math.abs(salt - pepper)).toBeLessThan(0.01)
  })

  it('gaussian noise has mean 0 and standard deviation sigma, clipped to [0, 1]', () => {
    const grey = new Float32Array(100_000).fill(0.5)
    const noisy = corrupt(grey, 'gaussian', 0.1, mulberry32(3))
    const diffs = Array.from(noisy, (v) => v - 0.5)
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length
    const std = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length)
    expect(Math.abs(mean)).toBeLessThan(0.002)
    expect(std).toBeGreaterThan(0.098)
    expect(std).toBeLessThan(0.102)
    const wide = corrupt(clean, 'gaussian', 1, mulberry32(4))
    expect(wide.every((v) => v >= 0 && v <= 1)).toBe(true)
    expect(wide.some((v) => v === 0) && wide.some((v) => v === 1)).toBe(true)
  })

  it('makes k copies per pattern, the same for the same seed', () => {
    const patterns = Float32Array.from(font2.slice(0, 3).flatMap((g) => g.pixels))
    const a = noisyCopies(patterns, 35, { kind: 'bitflip', level: 0.1, copies: 5 }, mulberry32(7))
    const b = noisyCopies(patterns, 35, { kind: 'bitflip', level: 0.1, copies: 5 }, mulberry32(7))
    expect(a.inputs.length).toBe(3 * 5 * 35)
    expect(a.inputs).toEqual(b.inputs)
    expect(Array.from(a.targets.subarray(4 * 35, 5 * 35))).toEqual(font2[0]!.pixels)
    expect(Array.from(a.targets.subarray(5 * 35, 6 * 35))).toEqual(font2[1]!.pixels)
  })
})

describe('denoising autoencoder', () => {
  it('removes noise it has not seen, and reports both evaluations', async () => {
    const config: LetterTrainConfig = {
      ...defaultLetterConfig,
      hidden: [64, 32],
      latent: 8,
      learningRate: 0.01,
      epochs: 500,
      maxWrongPixels: null,
      noise: { kind: 'bitflip', level: 0.1, copies: 10, fresh: true, seed: 4 }
    }
    const run = await trainLetters(font2, config)
    run.model.dispose()
    const summary = run.outcome.denoising!
    expect(summary.freshNoise.meanWrongBefore).toBeGreaterThan(2.5)
    expect(summary.freshNoise.meanWrongAfter).toBeLessThan(summary.freshNoise.meanWrongBefore / 2)
    expect(summary.trainNoise.copies).toBe(10)
    expect(summary.freshNoise.wrongAfter).toHaveLength(32)
  })
})

describe('variational autoencoder', () => {
  // A small MNIST run; each test overrides what it is about.
  const vaeBase: VaeTrainConfig = {
    dataset: 'mnist',
    trainSize: 1024,
    hidden: [64],
    latent: 2,
    activation: 'relu',
    beta: 1,
    epochs: 4,
    batchSize: 64,
    learningRate: 0.003,
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    schedule: { kind: 'constant' },
    seed: 5
  }
  /** The loss parts on tfjs ops, and their gradient by tf.grads (the kernels' oracle). */
  const oracle = (
    model: VaeModel,
    pixels: Float32Array,
    noise: Float32Array,
    rows: number,
    beta: number
  ): { grad: number[]; reconstruction: number; kl: number } =>
    tf.tidy(() => {
      const x = tf.tensor2d(pixels, [rows, model.shape.inputSize])
      const eps = tf.tensor2d(noise, [rows, model.shape.latent])
      const parts = vaeLoss(model, x, eps)
      const grads = tf.grads((...vars: tf.Tensor[]) => {
        const loss = vaeLoss(model, x, eps, vars)
        return tf.add(loss.reconstruction, tf.mul(loss.kl, beta)) as tf.Scalar
      })(model.variables)
      return {
        grad: grads.flatMap((g) => Array.from(g.dataSync())),
        reconstruction: parts.reconstruction.dataSync()[0]!,
        kl: parts.kl.dataSync()[0]!
      }
    })
  const mnist = async (): Promise<{ count: number; images: Uint8Array; size: number }> => {
    const set = await loadImageSet(datasetsDir, 'mnist', 'train')
    return { count: set.count, images: set.images, size: 784 }
  }

  it('assembles a batch scaled to [0, 1]', () => {
    const data = {
      count: 3,
      size: 4,
      images: Uint8Array.from([0, 51, 102, 255, 1, 2, 3, 4, 9, 8, 7, 6])
    }
    const out = new Float32Array(8)
    batchPixels(data, [2, 0], out)
    const expected = [9, 8, 7, 6, 0, 51, 102, 255].map((v) => v / 255)
    expect(Array.from(out)).toEqual(expected.map((v) => Math.fround(v)))
  })

  it('learns on real MNIST: the loss falls, both parts reported, no tensor growth, same seed same run', async () => {
    const data = await mnist()
    const config = vaeBase
    const records: { loss: number; reconstruction: number; kl: number; tensors: number }[] = []
    // The model handed to onEpoch is up to date, and the run's model is the last epoch's.
    let lastSeen: Float32Array = new Float32Array(0)
    const batches: string[] = []
    const run = await trainVae(data, config, {
      onEpoch: (r, model) => {
        records.push({ ...r, tensors: tf.memory().numTensors })
        lastSeen = vaeParams(model)
      },
      onBatch: (epoch, batch, of, samplesPerSecond) => {
        expect(samplesPerSecond).toBeGreaterThan(0)
        batches.push(`${epoch}:${batch}/${of}`)
      }
    })
    expect(run.outcome.status).toBe('completed')
    expect(records).toHaveLength(4)
    // Every batch reported, in order: 1024 images in batches of 64 is 16 per epoch.
    expect(batches).toHaveLength(4 * 16)
    expect(batches.slice(0, 2)).toEqual(['1:1/16', '1:2/16'])
    expect(batches.at(-1)).toBe('4:16/16')
    expect(records[3]!.loss).toBeLessThan(records[0]!.loss * 0.85)
    for (const r of records) {
      expect(r.loss).toBeCloseTo(r.reconstruction + r.kl, 3)
      expect(r.kl).toBeGreaterThan(0)
    }
    expect(new Set(records.map((r) => r.tensors)).size).toBe(1)
    expect(differing(vaeParams(run.model), lastSeen)).toBe(0)
    expect(
      differing(lastSeen, vaeParams(createVae(run.model.shape, vaeBase.seed)))
    ).toBeGreaterThan(0)
    // Inference on the trained VAE.
    const z = encode(run.model, [Array.from(data.images.subarray(0, 784), (v) => v / 255)])
    expect(z[0]).toHaveLength(2)
    const samples = generate(run.model, 5, 1)
    expect(samples.patterns).toHaveLength(5)
    expect(samples.patterns[0]).toHaveLength(784)
    const grid = decodeGrid(run.model, {
      n: 4,
      range: [
        [-2, 2],
        [-2, 2]
      ],
      spacing: 'normal'
    })
    expect(grid.patterns).toHaveLength(16)
    run.model.dispose()
    // Same seed, same run; and without any hook (nothing reads the model during training) the
    // run's model still ends with the trained weights.
    const second = await trainVae(data, config)
    expect(second.outcome.finalLoss).toBe(records.at(-1)!.loss)
    expect(differing(vaeParams(second.model), lastSeen)).toBe(0)
    second.model.dispose()
  })

  // The wasm kernels' hand-derived VAE step (src/ml/kernels/vae.ts) against tf.grads of the loss
  // on tfjs ops (vaeLoss, checked against the textbook formulas above): small networks, and the
  // benchmark's 784-256-2 at batch 128, whose products, gradients and loss are split between
  // threads.
  for (const [size, hidden, activation, rows] of [
    [20, [8], 'relu', 5],
    [20, [9, 6], 'tanh', 5],
    [20, [9, 6], 'elu', 3],
    [784, [256], 'relu', 128]
  ] as [number, number[], Activation, number][]) {
    it(`the step on the wasm kernels equals tf.grads of the loss: ${size}-${hidden.join('-')}-2 ${activation}, batch ${rows}`, () => {
      const model = createVae({ inputSize: size, hidden, latent: 2, activation }, 4)
      const random = mulberry32(21)
      const pixels = Float32Array.from({ length: rows * size }, () =>
        random() < 0.3 ? random() : 0
      )
      const noise = Float32Array.from({ length: rows * 2 }, () => random() * 2 - 1)
      const beta = 0.7
      const reference = oracle(model, pixels, noise, rows, beta)
      const results = [1, 2].map((threads) => {
        const kernels = createVaeKernels(model, rows, null, threads)
        try {
          kernels.theta.set(vaeParams(model))
          kernels.batch.set(pixels)
          kernels.noise.set(noise)
          const parts = kernels.gradient(beta)
          expect(kernels.threads).toBe(threads)
          expect(parts.reconstruction).toBeCloseTo(reference.reconstruction, 2)
          expect(Math.abs(parts.kl / reference.kl - 1)).toBeLessThan(1e-5)
          expect(maxRelativeError(kernels.grad, reference.grad)).toBeLessThan(1e-4)
          return { parts, grad: kernels.grad.slice() }
        } finally {
          kernels.dispose()
        }
      })
      // Split between two threads or not, the same arithmetic to the bit.
      expect(results[1]!.parts).toEqual(results[0]!.parts)
      expect(differing(results[1]!.grad, results[0]!.grad)).toBe(0)
      model.dispose()
    })
  }

  it('the optimizer steps split between two threads give the same weights to the bit', () => {
    const model = createVae({ inputSize: 784, hidden: [256], latent: 2, activation: 'relu' }, 6)
    const random = mulberry32(2)
    const pixels = Float32Array.from({ length: 128 * 784 }, () => random())
    const noise = Float32Array.from({ length: 128 * 2 }, () => random() * 2 - 1)
    for (const config of [
      { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      { kind: 'sgd', momentum: 0.9, nesterov: true },
      { kind: 'rmsprop', decay: 0.9, momentum: 0.5, epsilon: 1e-7 }
    ] as const) {
      const after = [1, 2].map((threads) => {
        const kernels = createVaeKernels(model, 128, config, threads)
        try {
          kernels.theta.set(vaeParams(model))
          kernels.batch.set(pixels)
          kernels.noise.set(noise)
          for (let t = 1; t <= 2; t++) {
            kernels.gradient(1)
            kernels.step(0.001, t)
          }
          return kernels.theta.slice()
        } finally {
          kernels.dispose()
        }
      })
      expect(differing(after[0]!, vaeParams(model)), config.kind).toBeGreaterThan(0)
      expect(differing(after[1]!, after[0]), config.kind).toBe(0)
    }
    model.dispose()
  })

  for (const arithmetic of ['kernels', 'tfjs'] as const)
    it(`stops a diverging run with a clear message and keeps the last epoch's weights (${arithmetic})`, async () => {
      const seen: Float32Array[] = []
      const run = await trainVae(
        await mnist(),
        {
          ...vaeBase,
          trainSize: 512,
          hidden: [32],
          activation: 'linear',
          epochs: 20,
          learningRate: 10,
          optimizer: { kind: 'sgd', momentum: 0.99, nesterov: false },
          seed: 1
        },
        { onEpoch: (_, model) => seen.push(vaeParams(model)) },
        { arithmetic }
      )
      const weights = vaeParams(run.model)
      run.model.dispose()
      expect(run.outcome.status).toBe('diverged')
      expect(run.outcome.message).toMatch(/diverged in epoch \d+ .*lower learning rate/)
      // The last finished epoch's weights, as onEpoch saw them (the initial ones if none).
      const kept = seen.at(-1) ?? vaeParams(createVae(run.model.shape, 1))
      expect(differing(weights, kept)).toBe(0)
      expect(weights.every(Number.isFinite)).toBe(true)
    })

  it('trains the same on the wasm kernels (two threads) as on tfjs ops', async () => {
    const data = await mnist()
    const config = { ...vaeBase, trainSize: 512, epochs: 3, seed: 8 }
    const losses = async (arithmetic: Arithmetic): Promise<number[]> => {
      const out: number[] = []
      const run = await trainVae(
        data,
        config,
        { onEpoch: (r) => out.push(r.reconstruction, r.kl) },
        { arithmetic, threads: 2 }
      )
      run.model.dispose()
      return out
    }
    const kernels = await losses('kernels')
    const ops = await losses('tfjs')
    expect(kernels[4]!).toBeLessThan(kernels[0]! * 0.9)
    kernels.forEach((value, i) =>
      expect(Math.abs(value / ops[i]! - 1), `value ${i}`).toBeLessThan(2e-3)
    )
  })

  it('refuses optimizers meant for small full-batch problems', async () => {
    const set = { count: 256, images: new Uint8Array(256 * 784), size: 784 }
    const config = {
      dataset: 'mnist' as const,
      trainSize: 256,
      hidden: [16],
      latent: 2,
      activation: 'relu' as const,
      beta: 1,
      epochs: 1,
      batchSize: 64,
      learningRate: 0.001,
      optimizer: { kind: 'lbfgs' as const, history: 5 },
      schedule: { kind: 'constant' as const },
      seed: 1
    }
    await expect(trainVae(set, config)).rejects.toThrow(
      /lbfgs optimizer is for small full-batch problems/
    )
  })
})

describe('inference API', () => {
  it('encodes, decodes, walks a grid, interpolates and denoises', async () => {
    const run = await trainLetters(font2, defaultLetterConfig)
    const model = run.model
    const codes = encode(
      model,
      font2.map((g) => g.pixels)
    )
    expect(codes.map((c) => c.map((v) => v.toFixed(4)))).toEqual(
      run.outcome.glyphs.map((g) => g.latent.map((v) => v.toFixed(4)))
    )
    const decoded = decode(model, [codes[1]!])
    expect(
      decoded[0]!.map((p) => (p >= 0.5 ? 1 : 0)).filter((p, i) => p !== font2[1]!.pixels[i]).length
    ).toBeLessThanOrEqual(1)
    const grid = decodeGrid(model, {
      n: 5,
      range: [
        [-1, 1],
        [-2, 2]
      ]
    })
    expect(grid.points).toHaveLength(25)
    expect(grid.points[0]).toEqual([-1, 2])
    expect(grid.points[24]).toEqual([1, -2])
    const path = interpolate(model, [codes[1]!, codes[2]!, codes[3]!], 5)
    expect(path.points).toHaveLength(9)
    expect(path.points[4]).toEqual(codes[2])
    expect(path.patterns[0]).toEqual(decode(model, [codes[1]!])[0])
    const samples = generate(model, 4, 3, codes)
    expect(samples.patterns).toHaveLength(4)
    const cleaned = denoise(model, [font2[1]!.pixels])
    expect(cleaned[0]).toHaveLength(35)
    expect(() => decode(model, [[1, 2, 3]])).toThrow(/must have 2 values/)
    expect(() => encode(model, [[1, 2]])).toThrow(/must have 35 values/)
    expect(() => interpolate(model, [codes[0]!], 5)).toThrow(/at least two points/)
    expect(() => generate(model, 2, 1)).toThrow(/latent codes/)
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 4)
    model.dispose()
  })
})

describe('weights in TensorFlow.js format', () => {
  it('load with plain tf.loadLayersModel and predict what the lab computes', async () => {
    const run = await trainLetters(font2, {
      ...defaultLetterConfig,
      epochs: 50,
      maxWrongPixels: null
    })
    const params = Float32Array.from(run.model.theta.dataSync())
    const saved = await saveNetwork(run.model.spec, params, 'autoencoder')
    const layers = await loadLayersModel(JSON.parse(JSON.stringify(saved)))
    const x = tf.tensor2d(font2.map((g) => g.pixels))
    const theirs = (layers.predict(x) as tf.Tensor).dataSync()
    const ours = decode(
      run.model,
      encode(
        run.model,
        font2.map((g) => g.pixels)
      )
    ).flat()
    expect(maxRelativeError(theirs, ours)).toBeLessThan(1e-5)
    expect(await loadNetworkParams(saved, run.model.spec)).toEqual(params)
    await expect(
      loadNetworkParams(saved, { layers: run.model.spec.layers.slice(1) })
    ).rejects.toThrow(/layers|weights|shape/)
    x.dispose()
    layers.dispose()
    run.model.dispose()
  })
})
