import { basename } from 'node:path'
import {
  MAX_CLASSES,
  MAX_IMPORT_BYTES,
  importedDatasetNameSchema
} from '../../shared/imported-dataset'
import {
  DECODING_AT_ONCE,
  decodeArrayImage,
  decodeFiles,
  forEachLimited,
  targetOf,
  type Target
} from './decode'
import { readSource } from './detect'
import { assignSplits, classNamesOf, type Sample } from './split'
import { writePrepared } from './store'
import type { ImportOptions, ImportReport, Skipped } from './types'

// Imports the user's images into the workspace: reads the source (detect.ts), decodes and
// resizes every image with sharp (decode.ts), skips and reports what cannot be read, splits
// train/test (split.ts) and writes the prepared set atomically (store.ts).

export type { ImportOptions, ImportReport, ImportProgress, Skipped } from './types'
export {
  importedDatasetsRoot,
  listImported,
  loadImported,
  readManifest
} from '../../ml/data/imported'
export { previewGrid, previewImport, type ImportPreview } from './preview'

const PROGRESS_EVERY = 500

function checkOptions(options: ImportOptions): Target {
  const name = importedDatasetNameSchema.safeParse(options.name)
  if (!name.success)
    throw new Error(`--name "${options.name}": ${name.error.issues[0]?.message ?? 'invalid'}`)
  return targetOf(options.size, options.channels)
}

export async function importDataset(options: ImportOptions): Promise<ImportReport> {
  const started = performance.now()
  const target = checkOptions(options)
  const { signal, onProgress } = options
  onProgress?.({ phase: 'reading', done: 0, total: 0 })
  const source = await readSource(options.source, signal)
  const skipped: Skipped[] = [...source.skipped]
  const failed: { index: number; skipped: Skipped }[] = []
  const total = source.files.length + source.arrays.reduce((n, a) => n + a.count, 0)
  const bytes = total * target.size * target.size * target.channels
  if (bytes > MAX_IMPORT_BYTES)
    throw new Error(
      `${total} images of ${target.size}x${target.size}x${target.channels} would take ${(bytes / 1024 ** 3).toFixed(1)} GB; the limit is ${MAX_IMPORT_BYTES / 1024 ** 3} GB (choose a smaller --size or fewer images)`
    )
  const samples: (Sample | null)[] = new Array<Sample | null>(total).fill(null)
  let done = 0
  const tick = (): void => {
    done++
    if (done % PROGRESS_EVERY === 0 || done === total)
      onProgress?.({ phase: 'decoding', done, total })
  }
  onProgress?.({ phase: 'decoding', done: 0, total })
  await decodeFiles(
    source.files.map((f) => f.path),
    target,
    (i, result) => {
      const file = source.files[i]!
      if (result instanceof Error)
        failed.push({
          index: i,
          skipped: { entry: file.entry, reason: `cannot be decoded (${result.message})` }
        })
      else samples[i] = { pixels: result, label: file.label, split: file.split }
      tick()
    },
    signal
  )
  // In the folder's order, whichever finished first.
  skipped.push(...failed.sort((a, b) => a.index - b.index).map((f) => f.skipped))
  let offset = source.files.length
  for (const arrays of source.arrays) {
    const base = offset
    await forEachLimited(
      arrays.count,
      DECODING_AT_ONCE,
      async (i) => {
        samples[base + i] = {
          pixels: await decodeArrayImage(arrays, i, target),
          label: arrays.labels?.[i] ?? 'all',
          split: arrays.split
        }
        tick()
      },
      signal
    )
    offset += arrays.count
  }
  const decoded = samples.filter((s): s is Sample => s !== null)
  if (decoded.length === 0) {
    const why = skipped
      .slice(0, 3)
      .map((s) => `${s.entry}: ${s.reason}`)
      .join('; ')
    throw new Error(`no images could be imported from ${options.source}${why ? ` (${why})` : ''}`)
  }
  const classes = classNamesOf(decoded)
  if (classes.length > MAX_CLASSES)
    throw new Error(`${classes.length} classes; at most ${MAX_CLASSES} can be imported`)
  signal?.throwIfAborted()
  onProgress?.({ phase: 'writing', done: 0, total: decoded.length })
  const { splits, perClass, fromFiles } = assignSplits(
    decoded,
    classes,
    target,
    options.seed ?? 2026
  )
  const { manifest, folder } = await writePrepared(
    options.datasetsRoot,
    {
      format: 1,
      name: options.name,
      size: target.size,
      channels: target.channels,
      classes,
      counts: {
        train: splits.train.labels.length,
        test: splits.test.labels.length,
        trainPerClass: perClass.train,
        testPerClass: perClass.test
      },
      source: {
        format: source.format,
        name: basename(options.source),
        split: fromFiles ? 'files' : 'seeded'
      },
      skipped: skipped.length,
      importedAt: new Date().toISOString()
    },
    splits,
    { replace: options.replace, signal }
  )
  onProgress?.({ phase: 'writing', done: decoded.length, total: decoded.length })
  return { manifest, folder, skipped, seconds: (performance.now() - started) / 1000 }
}
