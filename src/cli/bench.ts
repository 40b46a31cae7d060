import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chooseBackend } from '../ml/backend'
import { defaultArithmetic } from '../ml/full-batch'
import { kernelBuild } from '../ml/kernels/runtime'
import { threadsFor } from '../ml/threads'
import { trainLetters } from '../ml/letters'
import { datasetsDir } from '../services/paths'
import { idxFileNames, loadFonts, loadImageSet } from '../ml/data/datasets'
import {
  activationSchema,
  defaultLetterConfig,
  type FontName,
  type ImageDatasetId
} from '../shared/schemas'
import { runReference } from './reference'
import { benchVae } from './bench-vae'
import { benchVaeQuality } from './bench-quality'
import { benchCvae } from './bench-cvae'
import { benchConvVae } from './bench-conv-vae'
import { benchProbe } from './bench-probe'
import { benchImport } from './bench-import'
import { benchRenderer } from './bench-renderer'
import { backendOptions, option, flag, median, rounds } from './args'

// `lab bench <case> [--json]`: speed figures, each printed beside a reference measured in the
// same run on the same machine (PyTorch where it is installed).

export interface BenchLine {
  case: string
  [key: string]: unknown
}

export type Print = (line: BenchLine, text: string) => void

/** Loading the 60,000 training images (target: under 2 s); reference: reading the raw bytes. */
async function benchDatasets(print: Print): Promise<void> {
  const dir = datasetsDir()
  for (const id of ['mnist', 'fashion-mnist'] as ImageDatasetId[]) {
    const loads: number[] = []
    const raws: number[] = []
    let count = 0
    for (let i = 0; i < 5; i++) {
      let t = performance.now()
      await readFile(join(dir, id, idxFileNames('train').images))
      await readFile(join(dir, id, idxFileNames('train').labels))
      raws.push(performance.now() - t)
      t = performance.now()
      const set = await loadImageSet(dir, id, 'train')
      // Include the conversion to the [0, 1] floats training uses.
      const floats = new Float32Array(set.images.length)
      for (let k = 0; k < floats.length; k++) floats[k] = set.images[k]! / 255
      count = set.count
      loads.push(performance.now() - t)
    }
    const seconds = median(loads) / 1000
    const rawSeconds = median(raws) / 1000
    print(
      {
        case: 'datasets',
        dataset: id,
        images: count,
        loadSeconds: seconds,
        rawReadSeconds: rawSeconds,
        targetSeconds: 2
      },
      `${id}: ${count} training images loaded and scaled in ${seconds.toFixed(3)} s (median of 5; target < 2 s); raw file read ${rawSeconds.toFixed(3)} s`
    )
  }
}

/**
 * Time to a solved font: train the default recipe until every glyph has at most 1 wrong pixel,
 * for each font and seed. Unsolved runs count as infinitely slow in the median.
 */
async function benchLetters(print: Print, args: readonly string[]): Promise<void> {
  const seeds = Number(option(args, '--seeds') ?? 5)
  const fonts = (option(args, '--fonts') ?? 'Font1,Font2,Font3').split(',') as FontName[]
  const maxEpochs = Number(option(args, '--max-epochs') ?? 20000)
  const hidden = (option(args, '--hidden') ?? defaultLetterConfig.hidden.join('-'))
    .split('-')
    .filter(Boolean)
    .map(Number)
  const learningRate = Number(option(args, '--lr') ?? defaultLetterConfig.learningRate)
  const activation = activationSchema.parse(
    option(args, '--activation') ?? defaultLetterConfig.activation
  )
  const backend = backendOptions(args)
  const choice = await chooseBackend({ ...backend, threads: threadsFor('glyphs', backend.threads) })
  const all = await loadFonts(datasetsDir())
  const recipe = { hidden, latent: 2, activation, optimizer: 'adam', learningRate }
  // On wasm the letters train on the lab's own kernels (src/ml/kernels), elsewhere on tfjs ops.
  const engine = defaultArithmetic() === 'kernels' ? 'lab-kernels' : 'tfjs'
  // The letters' kernels run on one thread (a second costs more than it saves at their sizes).
  const name = engine === 'lab-kernels' ? `lab kernels (${kernelBuild()}), 1 thread, on` : 'tfjs'
  // Warm up the backend (wasm compilation, V8) untimed, as the reference script does.
  ;(
    await trainLetters(all[0]!.glyphs, { ...defaultLetterConfig, epochs: 30, maxWrongPixels: null })
  ).model.dispose()
  const labPass = async (round: number): Promise<{ times: number[]; solved: number }> => {
    const times: number[] = []
    let solved = 0
    for (const fontName of fonts) {
      const font = all.find((f) => f.name === fontName)
      if (!font) throw new Error(`unknown font ${fontName}`)
      for (let seed = 1; seed <= seeds; seed++) {
        const config = {
          ...defaultLetterConfig,
          font: fontName,
          hidden,
          learningRate,
          seed,
          epochs: maxEpochs,
          maxWrongPixels: 1
        }
        const started = performance.now()
        const run = await trainLetters(font.glyphs, config)
        const seconds = (performance.now() - started) / 1000
        run.model.dispose()
        const ok = run.outcome.status === 'solved'
        if (ok) solved++
        times.push(ok ? seconds : Infinity)
        print(
          {
            case: 'letters',
            engine,
            round,
            font: fontName,
            seed,
            solved: ok,
            epochs: run.outcome.epochs,
            seconds,
            backend: choice.backend,
            threads: engine === 'lab-kernels' ? 1 : choice.threads
          },
          `${name} ${choice.label}  round ${round} ${fontName} seed ${seed}: ${ok ? 'solved' : 'NOT solved'} in ${run.outcome.epochs} epochs, ${seconds.toFixed(3)} s (${(run.outcome.epochs / seconds).toFixed(0)} epochs/s)`
        )
      }
    }
    return { times, solved }
  }
  const reference: Record<string, { solved: number; medianSeconds: number; ratio: number }> = {}
  const useReference = !flag(args, '--no-reference')
  let referenceSkipped = false
  /** Runs the PyTorch reference on the same fonts and seeds; null when it cannot run. */
  const pytorchPass = (
    label: string,
    extra: string[],
    labMedian: number,
    round?: number
  ): { solved: number; medianSeconds: number; ratio: number } | null => {
    if (!useReference || referenceSkipped) return null
    const ref = runReference([
      'letters',
      '--fonts',
      fonts.join(','),
      '--seeds',
      String(seeds),
      '--max-epochs',
      String(maxEpochs),
      ...extra
    ])
    if ('skipped' in ref) {
      referenceSkipped = true
      print(
        { case: 'letters', reference: 'pytorch', skipped: ref.skipped },
        `PyTorch reference skipped: ${ref.skipped}`
      )
      return null
    }
    const refTimes = ref.lines.map((l) => (l['solved'] ? Number(l['seconds']) : Infinity))
    const medianSeconds = median(refTimes)
    const solved = ref.lines.filter((l) => l['solved']).length
    const ratio = labMedian / medianSeconds
    print(
      {
        case: 'letters',
        engine: 'pytorch',
        reference: label,
        threads: 1,
        ...(round === undefined ? {} : { round }),
        runs: refTimes.length,
        solved,
        medianSeconds
      },
      `PyTorch, 1 thread (${label}${round === undefined ? '' : `, round ${round}`}): ${solved}/${refTimes.length} solved, median ${medianSeconds.toFixed(3)} s; lab/PyTorch time ratio ${ratio.toFixed(2)}`
    )
    return { solved, medianSeconds, ratio }
  }

  // Rounds alternate the lab's engine and PyTorch with the same recipe (see `rounds`).
  const perRound: {
    lab: number
    solved: number
    pytorch: { solved: number; medianSeconds: number; ratio: number } | null
  }[] = []
  for (let round = 1; round <= rounds(args); round++) {
    const pass = await labPass(round)
    const labMedian = median(pass.times)
    print(
      {
        case: 'letters',
        engine,
        round,
        runs: pass.times.length,
        solved: pass.solved,
        medianSeconds: labMedian,
        backend: choice.backend
      },
      `${name} ${choice.label}, round ${round}: ${pass.solved}/${pass.times.length} solved, median ${labMedian.toFixed(3)} s to at most 1 wrong pixel per glyph`
    )
    const same = pytorchPass(
      'same recipe',
      ['--hidden', hidden.join('-'), '--lr', String(learningRate), '--activation', activation],
      labMedian,
      round
    )
    perRound.push({ lab: labMedian, solved: pass.solved, pytorch: same })
  }
  // Same seed, same backend, same run: the solved count is the same each round (the fewest is kept).
  const solved = Math.min(...perRound.map((r) => r.solved))
  const runs = fonts.length * seeds
  const medianSeconds = median(perRound.map((r) => r.lab))
  const sameRecipe = perRound.map((r) => r.pytorch)
  if (sameRecipe.every((r) => r !== null)) {
    const ratios = sameRecipe.map((r) => r.ratio)
    reference['sameRecipe'] = {
      solved: Math.min(...sameRecipe.map((r) => r.solved)),
      medianSeconds: median(sameRecipe.map((r) => r.medianSeconds)),
      ratio: median(ratios)
    }
    print(
      {
        case: 'letters',
        engine: 'pytorch',
        reference: 'same recipe',
        rounds: ratios.length,
        ratios
      },
      `same recipe over ${ratios.length} rounds: lab/PyTorch time ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${reference['sameRecipe'].ratio.toFixed(2)}`
    )
  }
  for (const [key, label, extra] of [
    [
      'sameArchitecture',
      `same architecture ${hidden.join('-')}, the course's Adam 3e-3`,
      ['--hidden', hidden.join('-'), '--lr', '0.003']
    ],
    ['courseRecipe', 'course recipe 25-15-10, Adam 3e-3', ['--hidden', '25-15-10', '--lr', '0.003']]
  ] as [string, string, string[]][]) {
    const result = pytorchPass(label, extra, medianSeconds)
    if (result) reference[key] = result
  }
  // The summary comes last.
  print(
    {
      case: 'letters',
      summary: true,
      runs,
      solved,
      rounds: perRound.length,
      medianSeconds,
      backend: choice.backend,
      threads: choice.threads,
      recipe,
      pytorch: reference
    },
    `summary: ${solved}/${runs} solved, median ${medianSeconds.toFixed(3)} s on ${choice.label} (median over ${perRound.length} round${perRound.length === 1 ? '' : 's'})` +
      (reference['sameRecipe']
        ? `; lab/PyTorch time ratio ${reference['sameRecipe'].ratio.toFixed(2)} with the same recipe (target at most 1)`
        : '')
  )
}

const cases: Record<string, (print: Print, args: readonly string[]) => Promise<void>> = {
  datasets: (print) => benchDatasets(print),
  letters: benchLetters,
  'vae-mnist': benchVae,
  'vae-quality': benchVaeQuality,
  'cvae-mnist': benchCvae,
  'conv-vae-mnist': benchConvVae,
  probe: benchProbe,
  'import-data': benchImport,
  'import-images': benchImport,
  renderer: benchRenderer
}

export async function runBench(argv: readonly string[]): Promise<void> {
  const json = argv.includes('--json')
  const [name, ...rest] = argv.filter((a) => a !== '--json')
  const run = name ? cases[name] : undefined
  if (!run) throw new Error(`bench needs a case: ${Object.keys(cases).join(', ')}`)
  const print: Print = (line, text) =>
    process.stdout.write(`${json ? JSON.stringify(line) : text}\n`)
  await run(print, rest)
}
