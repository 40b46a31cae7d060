import { chooseBackend } from '../ml/backend'
import { trainVae } from '../ml/train-vae'
import { defaultArithmetic, type Arithmetic } from '../ml/full-batch'
import { kernelBuild } from '../ml/kernels/runtime'
import { defaultWasmThreads } from '../ml/threads'
import { createVae } from '../ml/vae'
import { loadImageSet } from '../ml/data/datasets'
import { datasetsDir } from '../services/paths'
import { vaeTrainConfigSchema } from '../shared/schemas'
import { backendOptions, flag, median, option, rounds } from './args'
import { withBusyCore } from './busy-core'
import { naiveSamplesPerSecond } from './bench-vae-naive'
import { runReference, VAE_RECIPE_ARGS } from './reference'
import type { Print } from './bench'

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`

/**
 * Samples per second of the dense VAE 784-256-2, batch 128, Adam 1e-3, on real MNIST: the lab
 * on one thread and on N (`--threads`, default every core), PyTorch on one and on N, in
 * alternating rounds; with `--busy-core`, while another process keeps one core busy.
 */
export async function benchVae(print: Print, args: readonly string[]): Promise<void> {
  const busy = flag(args, '--busy-core')
  await withBusyCore(busy, (pid) => measure(print, args, pid))
}

async function measure(
  print: Print,
  args: readonly string[],
  busyPid: number | null
): Promise<void> {
  const busy = busyPid !== null
  const samples = Number(option(args, '--samples') ?? 12800)
  const backend = backendOptions(args)
  const threads = backend.threads ?? defaultWasmThreads()
  const choice = await chooseBackend({ ...backend, threads })
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
  const condition = busy ? 'one core kept busy by another process' : 'no busy-core process'
  // On wasm the VAE trains on the lab's own kernels (src/ml/kernels), elsewhere on tfjs ops.
  const engine = defaultArithmetic() === 'kernels' ? 'lab-kernels' : 'tfjs'
  const name = engine === 'lab-kernels' ? `lab kernels (${kernelBuild()})` : `tfjs ${choice.label}`
  const rateOf = async (labThreads: number, arithmetic?: Arithmetic): Promise<number> => {
    const rates: number[] = []
    const run = await trainVae(
      data,
      config,
      { onEpoch: (r) => rates.push(r.samplesPerSecond) },
      { arithmetic, threads: labThreads }
    )
    run.model.dispose()
    // The first epoch warms up (wasm compilation, allocations); report the second, as the
    // reference does.
    return rates.at(-1) ?? 0
  }
  const labRate = async (labThreads: number, round: number): Promise<number> => {
    const rate = await rateOf(labThreads)
    print(
      {
        case: 'vae-mnist',
        engine,
        build: engine === 'lab-kernels' ? kernelBuild() : null,
        round,
        samplesPerSecond: rate,
        backend: choice.backend,
        threads: engine === 'lab-kernels' ? labThreads : choice.threads,
        busyCore: busy,
        samples
      },
      `${name}, ${plural(labThreads)}, round ${round}: ${rate.toFixed(0)} samples/s (VAE 784-256-2, batch 128, Adam 1e-3, ${samples} MNIST images per epoch; ${condition})`
    )
    return rate
  }
  const referenceArgs = ['vae-mnist', '--samples', String(samples), ...VAE_RECIPE_ARGS]
  let skipped = flag(args, '--no-reference')
  const pytorchRate = (ptThreads: number, round: number): number | null => {
    if (skipped) return null
    const ref = runReference(referenceArgs, ptThreads)
    if ('skipped' in ref) {
      skipped = true
      print(
        { case: 'vae-mnist', reference: 'pytorch', skipped: ref.skipped },
        `PyTorch skipped: ${ref.skipped}`
      )
      return null
    }
    const rate = Number(ref.lines[0]?.['samplesPerSecond'] ?? Number.NaN)
    print(
      {
        case: 'vae-mnist',
        engine: 'pytorch',
        round,
        threads: ptThreads,
        samplesPerSecond: rate,
        busyCore: busy
      },
      `PyTorch, ${plural(ptThreads)}, round ${round}: ${rate.toFixed(0)} samples/s (${condition})`
    )
    return rate
  }
  // Rounds alternate the lab and PyTorch, each on 1 and on N threads (see `rounds`).
  const counts = threads > 1 ? [1, threads] : [1]
  const perRound: { lab: number[]; pytorch: (number | null)[] }[] = []
  for (let round = 1; round <= rounds(args); round++) {
    const lab: number[] = []
    for (const t of counts) lab.push(await labRate(t, round))
    const pytorch = counts.map((t) => pytorchRate(t, round))
    perRound.push({ lab, pytorch })
  }
  const ratioLine = (what: string, key: string, ratios: number[], target?: string): number => {
    const m = median(ratios)
    print(
      { case: 'vae-mnist', ratio: key, ratios, median: m, busyCore: busy },
      `${what} over ${ratios.length} rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${m.toFixed(2)}${target ? ` (${target})` : ''}`
    )
    return m
  }
  const withPytorch = perRound.every((r) => r.pytorch.every((p) => p !== null))
  const summary: Record<string, number | null> = {}
  if (withPytorch)
    counts.forEach((t, i) => {
      summary[`lab${t}PerPytorch${t}`] = ratioLine(
        `lab/PyTorch speed, both on ${plural(t)}`,
        `lab${t}/pytorch${t}`,
        perRound.map((r) => r.lab[i]! / r.pytorch[i]!),
        t === 1 ? 'target at least 0.5' : undefined
      )
    })
  if (threads > 1) {
    summary['labScaling'] = ratioLine(
      `the lab on ${plural(threads)} / on 1`,
      `lab${threads}/lab1`,
      perRound.map((r) => r.lab[1]! / r.lab[0]!),
      busy ? 'target at least 0.9 with a busy core' : undefined
    )
    if (withPytorch)
      summary['pytorchScaling'] = ratioLine(
        `PyTorch on ${plural(threads)} / on 1`,
        `pytorch${threads}/pytorch1`,
        perRound.map((r) => r.pytorch[1]! / r.pytorch[0]!)
      )
  }
  const labMedians = counts.map((_, i) => median(perRound.map((r) => r.lab[i]!)))
  const pytorchMedians = withPytorch
    ? counts.map((_, i) => median(perRound.map((r) => r.pytorch[i]!)))
    : null
  // The same engine on tfjs ops, and tfjs's own autodiff, for comparison (once, on N threads).
  const onOps = engine === 'lab-kernels' && !busy ? await rateOf(threads, 'tfjs') : null
  if (onOps !== null)
    print(
      {
        case: 'vae-mnist',
        engine: 'tfjs',
        samplesPerSecond: onOps,
        backend: choice.backend,
        threads: choice.threads
      },
      `the lab's engine on tfjs ops, ${choice.label}: ${onOps.toFixed(0)} samples/s; the kernels on ${plural(threads)} are ${(labMedians.at(-1)! / onOps).toFixed(1)}x faster`
    )
  let naive: number | null = null
  if (!busy) {
    const naiveModel = createVae(
      { inputSize: 784, hidden: [256], latent: 2, activation: 'relu' },
      1
    )
    naive = naiveSamplesPerSecond(naiveModel, data, 128, 15)
    naiveModel.dispose()
    print(
      {
        case: 'vae-mnist',
        engine: 'tfjs-autodiff',
        samplesPerSecond: naive,
        backend: choice.backend,
        threads: choice.threads
      },
      `tfjs ${choice.label}, naive (autodiff, transposed matMuls): ${naive.toFixed(0)} samples/s; the lab's engine is ${(labMedians.at(-1)! / naive).toFixed(1)}x faster`
    )
  }
  print(
    {
      case: 'vae-mnist',
      summary: true,
      busyCore: busy,
      busyCorePid: busyPid,
      threads: counts,
      build: engine === 'lab-kernels' ? kernelBuild() : null,
      samplesPerSecond: labMedians,
      pytorchSamplesPerSecond: pytorchMedians,
      rounds: perRound.length,
      ...summary,
      engine,
      tfjsOpsSamplesPerSecond: onOps,
      naiveSamplesPerSecond: naive
    },
    `summary (${condition}): the lab ${counts.map((t, i) => `${labMedians[i]!.toFixed(0)} on ${plural(t)}`).join(', ')}` +
      (pytorchMedians
        ? `; PyTorch ${counts.map((t, i) => `${pytorchMedians[i]!.toFixed(0)} on ${plural(t)}`).join(', ')} samples/s (medians)`
        : ' samples/s (medians)')
  )
}
