import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../ml/backend'
import { gaussian } from '../shared/noise'
import { createOptimizer } from '../ml/optimizers'
import { mulberry32 } from '../shared/random'
import { batchPixels, trainVae, type ImageData } from '../ml/train-vae'
import { defaultArithmetic, type Arithmetic } from '../ml/full-batch'
import { createVae, type VaeModel } from '../ml/vae'
import { loadImageSet } from '../services/datasets'
import { datasetsDir } from '../services/paths'
import { vaeTrainConfigSchema } from '../shared/schemas'
import { backendOptions, flag, median, option, rounds } from './args'
import { runReference } from './reference'
import type { Print } from './bench'

/**
 * The same VAE step written the naive way: plain ops differentiated by tfjs's autodiff, whose
 * dense backward uses transposed matMuls (the slow path on wasm). For the gain, side by side.
 */
function naiveSamplesPerSecond(
  model: VaeModel,
  data: ImageData,
  batchSize: number,
  batches: number
): number {
  const optimizer = createOptimizer(
    { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    model.variables.map((v) => v.shape)
  )
  const random = mulberry32(1)
  const pixels = new Float32Array(batchSize * data.size)
  const noise = new Float32Array(batchSize * model.shape.latent)
  const layers = (
    vars: readonly tf.Tensor[],
    x: tf.Tensor2D,
    last: 'linear' | 'logits'
  ): tf.Tensor2D => {
    let h = x
    for (let i = 0; i < vars.length; i += 2) {
      const z = tf.add(tf.matMul(h, vars[i] as tf.Tensor2D), vars[i + 1]!) as tf.Tensor2D
      h = i + 2 < vars.length ? tf.relu(z) : z
    }
    void last
    return h
  }
  const step = (b: number): void => {
    batchPixels(
      data,
      Array.from({ length: batchSize }, (_, i) => (b * batchSize + i) % data.count),
      pixels
    )
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const x = tf.tensor2d(pixels, [batchSize, data.size])
      const eps = tf.tensor2d(noise, [batchSize, model.shape.latent])
      const k = model.encoder.layers.length * 2
      const { grads } = tf.variableGrads(() => {
        const stats = layers(model.variables.slice(0, k), x, 'linear')
        const l = model.shape.latent
        const mu = tf.slice(stats, [0, 0], [batchSize, l])
        const logvar = tf.slice(stats, [0, l], [batchSize, l])
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tf.Tensor2D
        const logits = layers(model.variables.slice(k), z, 'logits')
        const recon = tf.sub(tf.sum(tf.softplus(logits)), tf.sum(tf.mul(logits, x)))
        const kl = tf.mul(
          tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1))),
          0.5
        )
        return tf.div(tf.add(recon, kl), batchSize) as tf.Scalar
      }, model.variables)
      optimizer.apply(
        model.variables,
        model.variables.map((v) => grads[v.name]!),
        0.001,
        b + 1
      )
    })
  }
  step(0)
  const started = performance.now()
  for (let b = 1; b <= batches; b++) step(b)
  model.variables[0]!.dataSync()
  optimizer.dispose()
  return (batches * batchSize) / ((performance.now() - started) / 1000)
}

/** Samples per second of the dense VAE 784-256-2, batch 128, Adam 1e-3, on real MNIST. */
export async function benchVae(print: Print, args: readonly string[]): Promise<void> {
  const samples = Number(option(args, '--samples') ?? 12800)
  const choice = await chooseBackend(backendOptions(args))
  const set = await loadImageSet(datasetsDir(), 'mnist', 'train')
  const data = { count: set.count, images: set.images, size: 784 }
  const config = vaeTrainConfigSchema.parse({
    dataset: 'mnist',
    trainSize: samples,
    hidden: [256],
    latent: 2,
    batchSize: 128,
    learningRate: 0.001,
    epochs: 2
  })
  // On wasm the VAE trains on the lab's own kernels (src/ml/kernels), elsewhere on tfjs ops.
  const engine = defaultArithmetic() === 'kernels' ? 'lab-kernels' : 'tfjs'
  const name = engine === 'lab-kernels' ? 'lab kernels on' : 'tfjs'
  const rateOf = async (arithmetic?: Arithmetic): Promise<number> => {
    const rates: number[] = []
    const run = await trainVae(
      data,
      config,
      { onEpoch: (r) => rates.push(r.samplesPerSecond) },
      { arithmetic }
    )
    run.model.dispose()
    // The first epoch warms up (wasm compilation, allocations); report the second, as the
    // reference does.
    return rates.at(-1) ?? 0
  }
  const labRate = async (round: number): Promise<number> => {
    const rate = await rateOf()
    print(
      {
        case: 'vae-mnist',
        engine,
        round,
        samplesPerSecond: rate,
        backend: choice.backend,
        threads: choice.threads,
        samples
      },
      `${name} ${choice.label}, round ${round}: ${rate.toFixed(0)} samples/s (VAE 784-256-2, batch 128, Adam 1e-3, ${samples} MNIST images per epoch)`
    )
    return rate
  }
  const referenceArgs = [
    'vae-mnist',
    '--samples',
    String(samples),
    '--hidden',
    '256',
    '--latent',
    '2',
    '--batch',
    '128',
    '--lr',
    '0.001'
  ]
  // The target compares with PyTorch on one thread; when tfjs uses more, PyTorch with as many
  // is printed beside it, for a like-for-like figure.
  const pytorchOn = (threads: number, lab: number): number | null => {
    const ref = runReference(referenceArgs, threads)
    const label = `PyTorch (${threads} thread${threads === 1 ? '' : 's'})`
    if ('skipped' in ref) {
      print(
        { case: 'vae-mnist', reference: 'pytorch', threads, skipped: ref.skipped },
        `${label} skipped: ${ref.skipped}`
      )
      return null
    }
    const rate = Number(ref.lines[0]?.['samplesPerSecond'] ?? Number.NaN)
    print(
      { case: 'vae-mnist', engine: 'pytorch', threads, samplesPerSecond: rate },
      `${label}: ${rate.toFixed(0)} samples/s; lab/PyTorch ${(lab / rate).toFixed(2)}`
    )
    return rate
  }
  // Rounds alternate the lab's engine and PyTorch on one thread (see `rounds`).
  const useReference = !flag(args, '--no-reference')
  const perRound: { lab: number; pytorch: number | null }[] = []
  for (let round = 1; round <= rounds(args); round++) {
    const lab = await labRate(round)
    const pytorch =
      useReference && perRound.every((r) => r.pytorch !== null) ? pytorchOn(1, lab) : null
    perRound.push({ lab, pytorch })
  }
  const samplesPerSecond = median(perRound.map((r) => r.lab))
  const ratios = perRound.every((r) => r.pytorch !== null)
    ? perRound.map((r) => r.lab / r.pytorch!)
    : null
  const ratio = ratios ? median(ratios) : null
  const pytorch = ratios ? median(perRound.map((r) => r.pytorch!)) : null
  if (ratios)
    print(
      { case: 'vae-mnist', engine: 'pytorch', threads: 1, rounds: perRound.length, ratios },
      `over ${perRound.length} rounds: lab/PyTorch (1 thread) speed ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${ratio!.toFixed(2)}`
    )
  const pytorchSameThreads =
    choice.threads > 1 && pytorch !== null ? pytorchOn(choice.threads, samplesPerSecond) : null
  // The same engine on tfjs ops (what the cpu and tensorflow backends run), for comparison.
  const onOps = engine === 'lab-kernels' ? await rateOf('tfjs') : null
  if (onOps !== null)
    print(
      {
        case: 'vae-mnist',
        engine: 'tfjs',
        samplesPerSecond: onOps,
        backend: choice.backend,
        threads: choice.threads
      },
      `the lab's engine on tfjs ops, ${choice.label}: ${onOps.toFixed(0)} samples/s; the kernels are ${(samplesPerSecond / onOps).toFixed(1)}x faster`
    )
  const naiveModel = createVae({ inputSize: 784, hidden: [256], latent: 2, activation: 'relu' }, 1)
  const naive = naiveSamplesPerSecond(naiveModel, data, 128, 15)
  naiveModel.dispose()
  print(
    {
      case: 'vae-mnist',
      engine: 'tfjs-autodiff',
      samplesPerSecond: naive,
      backend: choice.backend,
      threads: choice.threads
    },
    `tfjs ${choice.label}, naive (autodiff, transposed matMuls): ${naive.toFixed(0)} samples/s; the lab's engine is ${(samplesPerSecond / naive).toFixed(1)}x faster`
  )
  print(
    {
      case: 'vae-mnist',
      summary: true,
      samplesPerSecond,
      backend: choice.backend,
      threads: choice.threads,
      rounds: perRound.length,
      pytorchSamplesPerSecond: pytorch,
      pytorchSameThreadsSamplesPerSecond: pytorchSameThreads,
      ratio,
      engine,
      tfjsOpsSamplesPerSecond: onOps,
      naiveSamplesPerSecond: naive
    },
    ratio === null
      ? `summary: ${samplesPerSecond.toFixed(0)} samples/s`
      : `summary: lab/PyTorch speed ratio ${ratio.toFixed(2)} (target at least 0.5)`
  )
}
