import { chooseBackend } from '../ml/backend'
import { trainVae } from '../ml/train-vae'
import { vaeTestLoss } from '../ml/kinds/vae'
import { loadImageSet } from '../ml/data/datasets'
import { datasetsDir } from '../services/paths'
import { vaeTrainConfigSchema } from '../shared/schemas'
import { backendOptions, flag, median, option } from './args'
import { runReference, VAE_RECIPE_ARGS } from './reference'
import type { Print } from './bench'

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`

/**
 * `lab bench vae-quality`: the VAE 784-256-2 trained on the same recipe by the lab and by
 * PyTorch (Adam 1e-3, batch 128, 5 epochs of the 60,000 MNIST training images by default),
 * seed by seed, alternating; each side's test negative ELBO per image (BCE summed over pixels
 * + KL, one z drawn per image) on the 10,000 test images, and their ratio.
 */
export async function benchVaeQuality(print: Print, args: readonly string[]): Promise<void> {
  const seeds = Number(option(args, '--seeds') ?? 3)
  const epochs = Number(option(args, '--epochs') ?? 5)
  const samples = Number(option(args, '--samples') ?? 60000)
  const backend = backendOptions(args)
  const choice = await chooseBackend(backend)
  const train = await loadImageSet(datasetsDir(), 'mnist', 'train')
  const test = await loadImageSet(datasetsDir(), 'mnist', 'test')
  const pytorchThreads = backend.threads ?? 1
  let skipped = flag(args, '--no-reference')
  const perSeed: { lab: number; pytorch: number | null }[] = []
  for (let seed = 1; seed <= seeds; seed++) {
    const config = vaeTrainConfigSchema.parse({
      dataset: 'mnist',
      trainSize: samples,
      hidden: [256],
      latent: 2,
      batchSize: 128,
      learningRate: 0.001,
      epochs,
      seed
    })
    const started = performance.now()
    const run = await trainVae(
      { count: train.count, images: train.images, size: 784 },
      config,
      {},
      backend.threads === undefined ? {} : { threads: backend.threads }
    )
    const seconds = (performance.now() - started) / 1000
    const loss = vaeTestLoss(run.model, { ...test, size: 784 }, 1, seed)
    run.model.dispose()
    const lab = loss.reconstruction + loss.kl
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
        testReconstruction: loss.reconstruction,
        testKl: loss.kl,
        testLoss: lab
      },
      `lab, seed ${seed}: test negative ELBO ${lab.toFixed(2)} (reconstruction ${loss.reconstruction.toFixed(2)} + KL ${loss.kl.toFixed(2)}) after ${epochs} epochs of ${samples} images, trained in ${seconds.toFixed(0)} s on ${run.outcome.engine}`
    )
    let pytorch: number | null = null
    if (!skipped) {
      const ref = runReference(
        [
          'vae-quality',
          '--seed',
          String(seed),
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
          { case: 'vae-quality', reference: 'pytorch', skipped: ref.skipped },
          `PyTorch skipped: ${ref.skipped}`
        )
      } else {
        const line = ref.lines[0] ?? {}
        pytorch = Number(line['testLoss'])
        print(
          { ...line, case: 'vae-quality', engine: 'pytorch', threads: pytorchThreads },
          `PyTorch (${plural(pytorchThreads)}), seed ${seed}: test negative ELBO ${pytorch.toFixed(2)} (reconstruction ${Number(line['testReconstruction']).toFixed(2)} + KL ${Number(line['testKl']).toFixed(2)}), trained in ${Number(line['seconds']).toFixed(0)} s; lab/PyTorch ${(lab / pytorch).toFixed(4)}`
        )
      }
    }
    perSeed.push({ lab, pytorch })
  }
  const ratios = perSeed.every((s) => s.pytorch !== null)
    ? perSeed.map((s) => s.lab / s.pytorch!)
    : null
  const labLosses = perSeed.map((s) => s.lab)
  print(
    {
      case: 'vae-quality',
      summary: true,
      seeds,
      epochs,
      samples,
      labTestLosses: labLosses,
      pytorchTestLosses: ratios ? perSeed.map((s) => s.pytorch) : null,
      pytorchThreads,
      ratios,
      ratio: ratios ? median(ratios) : null
    },
    `summary: lab test negative ELBO ${labLosses.map((l) => l.toFixed(2)).join(', ')}` +
      (ratios
        ? `; PyTorch ${perSeed.map((s) => s.pytorch!.toFixed(2)).join(', ')}; lab/PyTorch ${ratios.map((r) => r.toFixed(4)).join(', ')}, median ${median(ratios).toFixed(4)} (target at most 1)`
        : '')
  )
}
