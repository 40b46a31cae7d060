import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chooseBackend } from '../ml/backend'
import { trainVae } from '../ml/train-vae'
import { vaeTestLoss } from '../ml/kinds/vae'
import { loadImageSet } from '../ml/data/datasets'
import { datasetsDir } from '../services/paths'
import { vaeTrainConfigSchema } from '../shared/schemas'
import { backendOptions, flag, option } from './args'
import { runReference, VAE_RECIPE_ARGS } from './reference'
import { sharedStart, writeSharedStart } from './bench-quality-start'
import type { Print } from './bench'

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`
const mean = (values: readonly number[]): number =>
  values.reduce((s, v) => s + v, 0) / values.length
const sd = (values: readonly number[]): number => {
  const m = mean(values)
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, values.length - 1))
}
const list = (values: readonly number[], digits = 2): string =>
  values.map((v) => v.toFixed(digits)).join(', ')

interface Side {
  /** The lab's: the engine and thread count it trained on (trainVae's note). */
  engine?: string
  loss: number
  reconstruction: number
  kl: number
  trainLosses: number[]
}

/**
 * `lab bench vae-quality`: the VAE 784-256-2 trained on the same recipe by the lab and by
 * PyTorch (Adam 1e-3, batch 128, 5 epochs of the 60,000 MNIST training images, seeds 1-3 by
 * default), seed by seed, alternating; each side's test negative ELBO per image (BCE summed
 * over pixels + KL, one z drawn per image) on the 10,000 test images, their means and ratio.
 * `--same-start` gives PyTorch the lab's draws (bench-quality-start.ts); `--engine` picks the
 * lab's engine (kernels or tfjs ops) instead of its timed start.
 */
export async function benchVaeQuality(print: Print, args: readonly string[]): Promise<void> {
  const seeds = Number(option(args, '--seeds') ?? 3)
  const epochs = Number(option(args, '--epochs') ?? 5)
  const samples = Number(option(args, '--samples') ?? 60000)
  const firstSeed = Number(option(args, '--first-seed') ?? 1)
  const engineArg = option(args, '--engine')
  if (engineArg !== undefined && engineArg !== 'kernels' && engineArg !== 'tfjs')
    throw new Error(`--engine must be kernels or tfjs, not "${engineArg}"`)
  const sameStart = flag(args, '--same-start')
  // Adam as PyTorch's default (torch.optim.Adam: epsilon 1e-8 on the bias-corrected root)
  // unless asked; both sides take the same.
  const epsilon = Number(option(args, '--epsilon') ?? 1e-8)
  const epsilonForm = option(args, '--epsilon-form') ?? 'pytorch'
  if (epsilonForm !== 'pytorch' && epsilonForm !== 'keras')
    throw new Error(`--epsilon-form must be pytorch or keras, not "${epsilonForm}"`)
  if (!(epsilon > 0 && epsilon <= 1))
    throw new Error(`--epsilon must be a number in (0, 1], not "${option(args, '--epsilon')}"`)
  const backend = backendOptions(args)
  const choice = await chooseBackend(backend)
  const train = await loadImageSet(datasetsDir(), 'mnist', 'train')
  const test = await loadImageSet(datasetsDir(), 'mnist', 'test')
  const pytorchThreads = backend.threads ?? 1
  let skipped = flag(args, '--no-reference')
  const perSeed: { seed: number; lab: Side; pytorch: Side | null }[] = []
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const config = vaeTrainConfigSchema.parse({
      dataset: 'mnist',
      trainSize: samples,
      hidden: [256],
      latent: 2,
      batchSize: 128,
      learningRate: 0.001,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon, epsilonForm },
      epochs,
      seed
    })
    const trainLosses: number[] = []
    const started = performance.now()
    const run = await trainVae(
      { count: train.count, images: train.images, size: 784 },
      config,
      { onEpoch: (record) => trainLosses.push(record.loss) },
      {
        ...(backend.threads === undefined ? {} : { threads: backend.threads }),
        ...(engineArg === undefined ? {} : { arithmetic: engineArg })
      }
    )
    const seconds = (performance.now() - started) / 1000
    const loss = vaeTestLoss(run.model, { ...test, size: 784 }, 1, seed)
    run.model.dispose()
    const lab: Side = {
      ...loss,
      engine: run.outcome.engine,
      loss: loss.reconstruction + loss.kl,
      trainLosses
    }
    print(
      {
        case: 'vae-quality',
        engine: 'lab',
        seed,
        epochs,
        samples,
        backend: choice.backend,
        trainedOn: run.outcome.engine,
        seconds,
        trainLosses,
        testReconstruction: lab.reconstruction,
        testKl: lab.kl,
        testLoss: lab.loss
      },
      `lab, seed ${seed}: test negative ELBO ${lab.loss.toFixed(2)} (reconstruction ${lab.reconstruction.toFixed(2)} + KL ${lab.kl.toFixed(2)}) after ${epochs} epochs of ${samples} images (training loss by epoch ${list(trainLosses)}), trained in ${seconds.toFixed(0)} s on ${run.outcome.engine}`
    )
    let pytorch: Side | null = null
    if (!skipped) {
      const dir = sameStart ? mkdtempSync(join(tmpdir(), 'lab-vae-quality-')) : null
      try {
        if (dir)
          writeSharedStart(
            dir,
            sharedStart({ inputSize: 784, hidden: [256], latent: 2, activation: 'relu' }, seed, {
              count: Math.min(samples, train.count),
              batchSize: 128,
              epochs,
              testCount: test.count
            })
          )
        const ref = runReference(
          [
            'vae-quality',
            '--seed',
            String(seed),
            '--epochs',
            String(epochs),
            '--samples',
            String(samples),
            ...(dir ? ['--shared', dir] : []),
            '--adam-eps',
            String(epsilon),
            '--adam-eps-form',
            epsilonForm === 'pytorch' ? 'torch' : 'keras',
            ...VAE_RECIPE_ARGS
          ],
          pytorchThreads
        )
        if ('skipped' in ref) {
          skipped = true
          print(
            { case: 'vae-quality', reference: 'pytorch', skipped: ref.skipped },
            `PyTorch skipped: ${ref.skipped}`
          )
        } else {
          const line = ref.lines[0] ?? {}
          pytorch = {
            loss: Number(line['testLoss']),
            reconstruction: Number(line['testReconstruction']),
            kl: Number(line['testKl']),
            trainLosses: (line['trainLosses'] as number[] | undefined) ?? []
          }
          print(
            { ...line, case: 'vae-quality', engine: 'pytorch', threads: pytorchThreads },
            `PyTorch (${plural(pytorchThreads)}${dir ? ", from the lab's draws" : ''}), seed ${seed}: test negative ELBO ${pytorch.loss.toFixed(2)} (reconstruction ${pytorch.reconstruction.toFixed(2)} + KL ${pytorch.kl.toFixed(2)}; training loss by epoch ${list(pytorch.trainLosses)}), trained in ${Number(line['seconds']).toFixed(0)} s; lab/PyTorch ${(lab.loss / pytorch.loss).toFixed(4)}`
          )
        }
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true })
      }
    }
    perSeed.push({ seed, lab, pytorch })
  }
  summarise(print, perSeed, {
    seeds,
    epochs,
    samples,
    pytorchThreads,
    sameStart,
    adam: { epsilon, epsilonForm }
  })
}

function summarise(
  print: Print,
  perSeed: { seed: number; lab: Side; pytorch: Side | null }[],
  run: {
    seeds: number
    epochs: number
    samples: number
    pytorchThreads: number
    sameStart: boolean
    adam: { epsilon: number; epsilonForm: string }
  }
): void {
  const labLosses = perSeed.map((s) => s.lab.loss)
  const refLosses = perSeed.every((s) => s.pytorch !== null)
    ? perSeed.map((s) => s.pytorch!.loss)
    : null
  const ratios = refLosses ? labLosses.map((l, i) => l / refLosses[i]!) : null
  const ratio = refLosses ? mean(labLosses) / mean(refLosses) : null
  const differences = refLosses ? labLosses.map((l, i) => l - refLosses[i]!) : null
  // "the kernels (plain) on 1 thread, timed at ..." -> 1, per seed.
  const labThreads = perSeed.map((s) => Number(/on (\d+) threads?/.exec(s.lab.engine ?? '')?.[1]))
  print(
    {
      case: 'vae-quality',
      summary: true,
      ...run,
      seedsRun: perSeed.map((s) => s.seed),
      labThreads,
      labTestLosses: labLosses,
      labMean: mean(labLosses),
      pytorchTestLosses: refLosses,
      pytorchMean: refLosses ? mean(refLosses) : null,
      ratios,
      ratio,
      meanDifference: differences ? mean(differences) : null,
      differenceSd: differences ? sd(differences) : null
    },
    `summary over seeds ${perSeed.map((s) => s.seed).join(', ')}: lab (threads ${labThreads.join(', ')}) test negative ELBO ${list(labLosses)}, mean ${mean(labLosses).toFixed(2)}` +
      (refLosses && ratios && differences && ratio !== null
        ? `; PyTorch (${plural(run.pytorchThreads)}) ${list(refLosses)}, mean ${mean(refLosses).toFixed(2)}` +
          `; lab/PyTorch per seed ${list(ratios, 4)}, of the means ${ratio.toFixed(4)} (target at most 1)` +
          `; lab - PyTorch ${mean(differences).toFixed(2)} +- ${sd(differences).toFixed(2)} nats (mean +- sd over seeds)`
        : '')
  )
}
