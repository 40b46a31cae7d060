import { chooseBackend } from '../ml/backend'
import { trainVae } from '../ml/train-vae'
import { loadImageSet } from '../services/datasets'
import { datasetsDir } from '../services/paths'
import { backendNameSchema, vaeTrainConfigSchema } from '../shared/schemas'
import { option } from './args'
import { runReference } from './reference'
import type { Print } from './bench'

/** Samples per second of the dense VAE 784-256-2, batch 128, Adam 1e-3, on real MNIST. */
export async function benchVae(print: Print, args: readonly string[]): Promise<void> {
  const samples = Number(option(args, '--samples') ?? 12800)
  const backendArg = option(args, '--backend')
  const choice = await chooseBackend({
    preferred: backendArg ? backendNameSchema.parse(backendArg) : undefined
  })
  const set = await loadImageSet(datasetsDir(), 'mnist', 'train')
  const config = vaeTrainConfigSchema.parse({
    dataset: 'mnist',
    trainSize: samples,
    hidden: [256],
    latent: 2,
    batchSize: 128,
    learningRate: 0.001,
    epochs: 2
  })
  const rates: number[] = []
  const run = await trainVae({ count: set.count, images: set.images, size: 784 }, config, {
    onEpoch: (r) => rates.push(r.samplesPerSecond)
  })
  run.model.dispose()
  // The first epoch warms up (wasm compilation, allocations); report the second, as the reference does.
  const samplesPerSecond = rates.at(-1) ?? 0
  print(
    { case: 'vae-mnist', summary: true, samplesPerSecond, backend: choice.backend, samples },
    `tfjs ${choice.backend}: ${samplesPerSecond.toFixed(0)} samples/s (VAE 784-256-2, batch 128, Adam 1e-3, ${samples} MNIST images per epoch)`
  )
  const ref = runReference([
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
  ])
  if ('skipped' in ref) {
    print(
      { case: 'vae-mnist', reference: 'pytorch', skipped: ref.skipped },
      `PyTorch reference skipped: ${ref.skipped}`
    )
    return
  }
  const refRate = Number(ref.lines[0]?.['samplesPerSecond'] ?? Number.NaN)
  print(
    {
      case: 'vae-mnist',
      summary: true,
      engine: 'pytorch',
      samplesPerSecond: refRate,
      ratio: samplesPerSecond / refRate
    },
    `PyTorch: ${refRate.toFixed(0)} samples/s; tfjs/PyTorch speed ratio ${(samplesPerSecond / refRate).toFixed(2)} (target at least 0.5)`
  )
}
