import { chooseBackend } from '../ml/backend'
import { loadImageSet } from '../ml/data/datasets'
import { cvaeTestLoss } from '../ml/kinds/cvae'
import { trainCvae } from '../ml/train-cvae'
import { datasetsDir } from '../services/paths'
import { cvaeExperimentSchema } from '../shared/experiments'
import { backendOptions, flag, median, option, rounds } from './args'
import { runReference, VAE_RECIPE_ARGS } from './reference'
import type { Print } from './bench'

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`

/**
 * `lab bench cvae-mnist`: the conditional VAE 784(+10)-256-2(+10), batch 128, Adam 1e-3, trained
 * by the lab and by PyTorch with the same recipe (architecture, initialisation, loss) in
 * alternating rounds (seed = round): training samples/s, and the test negative ELBO per image
 * after the same epochs (default 1 epoch of the first 12,800 MNIST training images; `--epochs`,
 * `--samples`).
 */
export async function benchCvae(print: Print, args: readonly string[]): Promise<void> {
  const epochs = Number(option(args, '--epochs') ?? 1)
  const samples = Number(option(args, '--samples') ?? 12800)
  const backend = backendOptions(args)
  const choice = await chooseBackend(backend)
  const train = await loadImageSet(datasetsDir(), 'mnist', 'train')
  const test = await loadImageSet(datasetsDir(), 'mnist', 'test')
  const pytorchThreads = backend.threads ?? 1
  let skipped = flag(args, '--no-reference')
  const perRound: { lab: number; labRate: number; pytorch: number | null; rate: number | null }[] =
    []
  for (let round = 1; round <= rounds(args); round++) {
    const config = cvaeExperimentSchema.parse({
      kind: 'cvae',
      dataset: 'mnist',
      trainSize: samples,
      hidden: [256],
      latent: 2,
      batchSize: 128,
      learningRate: 0.001,
      epochs,
      seed: round
    })
    const rates: number[] = []
    const run = await trainCvae({ ...train, size: 784 }, config, {
      onEpoch: (r) => rates.push(r.samplesPerSecond)
    })
    const loss = cvaeTestLoss(run.model, { ...test, size: 784 }, round)
    run.model.dispose()
    const lab = loss.reconstruction + loss.kl
    const labRate = median(rates)
    print(
      {
        case: 'cvae-mnist',
        engine: 'lab',
        round,
        epochs,
        samples,
        backend: choice.backend,
        threads: choice.threads,
        trainedOn: run.outcome.engine,
        samplesPerSecond: labRate,
        testReconstruction: loss.reconstruction,
        testKl: loss.kl,
        testLoss: lab
      },
      `lab (${choice.label}), round ${round}: ${labRate.toFixed(0)} samples/s; test negative ELBO ${lab.toFixed(2)} (reconstruction ${loss.reconstruction.toFixed(2)} + KL ${loss.kl.toFixed(2)}) after ${epochs} epoch${epochs === 1 ? '' : 's'} of ${samples} images`
    )
    let pytorch: number | null = null
    let rate: number | null = null
    if (!skipped) {
      const ref = runReference(
        [
          'cvae-mnist',
          '--seed',
          String(round),
          '--epochs',
          String(epochs),
          '--samples',
          String(samples),
          ...VAE_RECIPE_ARGS
        ],
        pytorchThreads
      )
      if ('skipped' in ref) {
        skipped = true
        print(
          { case: 'cvae-mnist', reference: 'pytorch', skipped: ref.skipped },
          `PyTorch skipped: ${ref.skipped}`
        )
      } else {
        const line = ref.lines[0] ?? {}
        pytorch = Number(line['testLoss'])
        rate = Number(line['samplesPerSecond'])
        print(
          { ...line, case: 'cvae-mnist', engine: 'pytorch', round, threads: pytorchThreads },
          `PyTorch (${plural(pytorchThreads)}), round ${round}: ${rate.toFixed(0)} samples/s; test negative ELBO ${pytorch.toFixed(2)} (reconstruction ${Number(line['testReconstruction']).toFixed(2)} + KL ${Number(line['testKl']).toFixed(2)}); lab/PyTorch ELBO ${(lab / pytorch).toFixed(4)}, speed ${(labRate / rate).toFixed(2)}`
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
      case: 'cvae-mnist',
      summary: true,
      epochs,
      samples,
      backend: choice.backend,
      labThreads: choice.threads,
      pytorchThreads,
      labSamplesPerSecond: perRound.map((r) => r.labRate),
      labTestLosses: perRound.map((r) => r.lab),
      pytorchSamplesPerSecond: compared ? perRound.map((r) => r.rate) : null,
      pytorchTestLosses: compared ? perRound.map((r) => r.pytorch) : null,
      elboRatio: elboRatios ? median(elboRatios) : null,
      speedRatio: speedRatios ? median(speedRatios) : null
    },
    `summary: lab ${median(perRound.map((r) => r.labRate)).toFixed(0)} samples/s (${choice.label}), test negative ELBO ${perRound.map((r) => r.lab.toFixed(2)).join(', ')}` +
      (elboRatios && speedRatios
        ? `; PyTorch (${plural(pytorchThreads)}) ${median(perRound.map((r) => r.rate!)).toFixed(0)} samples/s, ${perRound.map((r) => r.pytorch!.toFixed(2)).join(', ')}; lab/PyTorch ELBO ${median(elboRatios).toFixed(4)} (target at most 1), speed ${median(speedRatios).toFixed(2)}`
        : '')
  )
}
