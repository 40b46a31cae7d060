import { chooseBackend } from '../ml/backend'
import { loadImageSet, type ImageSet } from '../ml/data/datasets'
import { convVaeTestLoss } from '../ml/kinds/conv-vae'
import { trainConvVae } from '../ml/train-conv-vae'
import { datasetsDir } from '../services/paths'
import { convVaeExperimentSchema } from '../shared/experiments'
import { backendOptions, flag, median, option, rounds } from './args'
import { runReference } from './reference'
import type { Print } from './bench'

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`

/** A whole number option within bounds, with a message naming it when it is not. */
function count(
  args: readonly string[],
  name: string,
  fallback: number,
  [min, max]: [number, number]
): number {
  const value = option(args, name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${value}"`)
  return n
}

/** `--filters 32,64` (the Keras example's by default). */
function filtersOf(args: readonly string[]): number[] {
  const value = option(args, '--filters') ?? '32,64'
  const filters = value.split(',').map(Number)
  if (!filters.every((f) => Number.isInteger(f) && f >= 1 && f <= 256) || filters.length > 2)
    throw new Error(`--filters must be one or two counts from 1 to 256 (32,64), not "${value}"`)
  return filters
}

/** The first `n` images of a set. */
const firstOf = (set: ImageSet, n: number): ImageSet => {
  const values = set.side * set.side * set.channels
  const kept = Math.min(n, set.count)
  return {
    ...set,
    count: kept,
    images: set.images.subarray(0, kept * values),
    labels: set.labels.subarray(0, kept)
  }
}

/**
 * `lab bench conv-vae-mnist`: the convolutional VAE (the Keras example's: conv 32 and 64, 3x3,
 * stride 2, ReLU, dense 16, latent 2, transposed convs back; Glorot-uniform kernels, zero biases),
 * batch 128, Adam 1e-3 (PyTorch's epsilon form on both sides), trained by the lab and by PyTorch
 * (bench/reference_torch.py) on the same images in alternating rounds (seed = round), both on the
 * same thread count (`--threads`, 1 by default): training samples/s, and the test negative ELBO
 * per image after the same epochs. By default 1 epoch of the first 6,000 MNIST training images,
 * tested on the first 1,000 test images (`--train`, `--test`, `--epochs`; `--filters`,
 * `--dense`, `--batch` for small runs).
 */
export async function benchConvVae(print: Print, args: readonly string[]): Promise<void> {
  const train = count(args, '--train', 6000, [128, 60000])
  const test = count(args, '--test', 1000, [1, 10000])
  const epochs = count(args, '--epochs', 1, [1, 100])
  const batch = count(args, '--batch', 128, [1, 1024])
  const dense = count(args, '--dense', 16, [1, 1024])
  const filters = filtersOf(args)
  const backend = backendOptions(args)
  const threads = backend.threads ?? 1
  const choice = await chooseBackend({ ...backend, threads })
  const trainSet = firstOf(await loadImageSet(datasetsDir(), 'mnist', 'train'), train)
  const testSet = firstOf(await loadImageSet(datasetsDir(), 'mnist', 'test'), test)
  const recipe = { train, test, epochs, batch, filters, dense, latent: 2 }
  const what = `${epochs} epoch${epochs === 1 ? '' : 's'} of ${train} images`
  let skipped = flag(args, '--no-reference')
  const perRound: { lab: number; labRate: number; pytorch: number | null; rate: number | null }[] =
    []
  for (let round = 1; round <= rounds(args); round++) {
    const config = convVaeExperimentSchema.parse({
      kind: 'conv-vae',
      dataset: 'mnist',
      trainSize: train,
      filters,
      dense,
      latent: 2,
      batchSize: batch,
      learningRate: 0.001,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, epsilonForm: 'pytorch' },
      epochs,
      seed: round
    })
    const rates: number[] = []
    const run = await trainConvVae(trainSet, config, {
      onEpoch: (r) => rates.push(r.samplesPerSecond)
    })
    const loss = convVaeTestLoss(run.model, testSet, round)
    run.model.dispose()
    const lab = loss.reconstruction + loss.kl
    const labRate = median(rates)
    print(
      {
        case: 'conv-vae-mnist',
        engine: 'lab',
        round,
        ...recipe,
        backend: choice.backend,
        threads: choice.threads,
        trainedOn: run.outcome.engine,
        samplesPerSecond: labRate,
        testReconstruction: loss.reconstruction,
        testKl: loss.kl,
        testLoss: lab
      },
      `lab (${choice.label}), round ${round}: ${labRate.toFixed(1)} samples/s; test negative ELBO ${lab.toFixed(2)} (reconstruction ${loss.reconstruction.toFixed(2)} + KL ${loss.kl.toFixed(2)}) after ${what}`
    )
    let pytorch: number | null = null
    let rate: number | null = null
    if (!skipped) {
      const ref = runReference(
        [
          'conv-vae-mnist',
          '--seed',
          String(round),
          '--epochs',
          String(epochs),
          '--samples',
          String(train),
          '--test-samples',
          String(test),
          '--batch',
          String(batch),
          '--filters',
          filters.join(','),
          '--dense',
          String(dense),
          '--latent',
          '2',
          '--lr',
          '0.001'
        ],
        threads
      )
      if ('skipped' in ref) {
        skipped = true
        print(
          { case: 'conv-vae-mnist', reference: 'pytorch', skipped: ref.skipped },
          `PyTorch skipped: ${ref.skipped}`
        )
      } else {
        const line = ref.lines[0] ?? {}
        pytorch = Number(line['testLoss'])
        rate = Number(line['samplesPerSecond'])
        print(
          { ...line, case: 'conv-vae-mnist', engine: 'pytorch', round, threads },
          `PyTorch (${plural(threads)}), round ${round}: ${rate.toFixed(1)} samples/s; test negative ELBO ${pytorch.toFixed(2)} (reconstruction ${Number(line['testReconstruction']).toFixed(2)} + KL ${Number(line['testKl']).toFixed(2)}); lab/PyTorch ELBO ${(lab / pytorch).toFixed(4)}, speed ${(labRate / rate).toFixed(3)}`
        )
      }
    }
    perRound.push({ lab, labRate, pytorch, rate })
  }
  const compared = perRound.every((r) => r.pytorch !== null && r.rate !== null)
  const elboRatios = compared ? perRound.map((r) => r.lab / r.pytorch!) : null
  const speedRatios = compared ? perRound.map((r) => r.labRate / r.rate!) : null
  print(
    {
      case: 'conv-vae-mnist',
      summary: true,
      ...recipe,
      rounds: perRound.length,
      backend: choice.backend,
      labThreads: choice.threads,
      pytorchThreads: threads,
      labSamplesPerSecond: perRound.map((r) => r.labRate),
      labTestLosses: perRound.map((r) => r.lab),
      pytorchSamplesPerSecond: compared ? perRound.map((r) => r.rate) : null,
      pytorchTestLosses: compared ? perRound.map((r) => r.pytorch) : null,
      elboRatio: elboRatios ? median(elboRatios) : null,
      speedRatio: speedRatios ? median(speedRatios) : null
    },
    `summary (${what}, tested on ${testSet.count}): lab ${median(perRound.map((r) => r.labRate)).toFixed(1)} samples/s (${choice.label}), test negative ELBO ${perRound.map((r) => r.lab.toFixed(2)).join(', ')}` +
      (elboRatios && speedRatios
        ? `; PyTorch (${plural(threads)}) ${median(perRound.map((r) => r.rate!)).toFixed(1)} samples/s, ${perRound.map((r) => r.pytorch!.toFixed(2)).join(', ')}; lab/PyTorch ELBO ${median(elboRatios).toFixed(4)} (target at most 1), speed ${median(speedRatios).toFixed(3)}`
        : '')
  )
}
