import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chooseBackend } from '../ml/backend'
import { threadsFor } from '../ml/threads'
import { trainLetters } from '../ml/letters'
import { datasetsDir } from '../services/paths'
import { idxFileNames, loadFonts, loadImageSet } from '../services/datasets'
import {
  activationSchema,
  defaultLetterConfig,
  type FontName,
  type ImageDatasetId
} from '../shared/schemas'
import { runReference } from './reference'
import { benchVae } from './bench-vae'
import { benchProbe } from './bench-probe'
import { backendOptions, option, flag, median } from './args'

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
  // Warm up the backend (wasm compilation, V8) untimed, as the reference script does.
  ;(
    await trainLetters(all[0]!.glyphs, { ...defaultLetterConfig, epochs: 30, maxWrongPixels: null })
  ).model.dispose()
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
          engine: 'tfjs',
          font: fontName,
          seed,
          solved: ok,
          epochs: run.outcome.epochs,
          seconds,
          backend: choice.backend
        },
        `tfjs ${choice.label}  ${fontName} seed ${seed}: ${ok ? 'solved' : 'NOT solved'} in ${run.outcome.epochs} epochs, ${seconds.toFixed(3)} s (${(run.outcome.epochs / seconds).toFixed(0)} epochs/s)`
      )
    }
  }
  const medianSeconds = median(times)
  print(
    {
      case: 'letters',
      engine: 'tfjs',
      runs: times.length,
      solved,
      medianSeconds,
      backend: choice.backend
    },
    `tfjs ${choice.label}: ${solved}/${times.length} solved, median ${medianSeconds.toFixed(3)} s to at most 1 wrong pixel per glyph`
  )
  const reference: Record<string, { solved: number; medianSeconds: number; ratio: number }> = {}
  if (!flag(args, '--no-reference')) {
    const referenceRuns: [string, string, string[]][] = [
      [
        'sameRecipe',
        'same recipe',
        ['--hidden', hidden.join('-'), '--lr', String(learningRate), '--activation', activation]
      ],
      [
        'sameArchitecture',
        `same architecture ${hidden.join('-')}, the course's Adam 3e-3`,
        ['--hidden', hidden.join('-'), '--lr', '0.003']
      ],
      [
        'courseRecipe',
        'course recipe 25-15-10, Adam 3e-3',
        ['--hidden', '25-15-10', '--lr', '0.003']
      ]
    ]
    for (const [key, label, extra] of referenceRuns) {
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
        print(
          { case: 'letters', reference: 'pytorch', skipped: ref.skipped },
          `PyTorch reference skipped: ${ref.skipped}`
        )
        break
      }
      const refTimes = ref.lines.map((l) => (l['solved'] ? Number(l['seconds']) : Infinity))
      const refMedian = median(refTimes)
      const refSolved = ref.lines.filter((l) => l['solved']).length
      reference[key] = {
        solved: refSolved,
        medianSeconds: refMedian,
        ratio: medianSeconds / refMedian
      }
      print(
        {
          case: 'letters',
          engine: 'pytorch',
          reference: label,
          runs: refTimes.length,
          solved: refSolved,
          medianSeconds: refMedian
        },
        `PyTorch (${label}): ${refSolved}/${refTimes.length} solved, median ${refMedian.toFixed(3)} s; tfjs/PyTorch time ratio ${(medianSeconds / refMedian).toFixed(2)}`
      )
    }
  }
  // The summary comes last.
  print(
    {
      case: 'letters',
      summary: true,
      runs: times.length,
      solved,
      medianSeconds,
      backend: choice.backend,
      threads: choice.threads,
      recipe,
      pytorch: reference
    },
    `summary: ${solved}/${times.length} solved, median ${medianSeconds.toFixed(3)} s on ${choice.label}`
  )
}

const cases: Record<string, (print: Print, args: readonly string[]) => Promise<void>> = {
  datasets: (print) => benchDatasets(print),
  letters: benchLetters,
  'vae-mnist': benchVae,
  probe: benchProbe
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
