import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { datasetsDir } from '../services/paths'
import { idxFileNames, loadImageSet, type ImageDatasetId } from '../services/datasets'

// `lab bench <case> [--json]`: speed figures, each printed beside a reference measured in the
// same run on the same machine.

export interface BenchLine {
  case: string
  [key: string]: unknown
}

type Print = (line: BenchLine, text: string) => void

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

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

const cases: Record<string, (print: Print, args: readonly string[]) => Promise<void>> = {
  datasets: (print) => benchDatasets(print)
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
