import { statfs } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { MAX_CLASSES, importedDatasetNameSchema } from '../../shared/imported-dataset'
import {
  DECODING_AT_ONCE,
  decodeArrayImage,
  decodeFiles,
  forEachLimited,
  targetOf,
  type Target
} from './decode'
import { readSource } from './detect'
import { classNamesOf, planSplits, type Sample } from './split'
import {
  DecodedImages,
  beginPrepared,
  discardPrepared,
  finishPrepared,
  type StreamStats
} from './store'
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

/** Images decoded, then written, at a time: what the importer holds in memory (a few MB). */
export const CHUNK_IMAGES = 4096

/** Name of the scratch file of decoded images, inside the import's hidden folder. */
const DECODED_FILE = 'decoded.tmp'

function checkOptions(options: ImportOptions): Target {
  const name = importedDatasetNameSchema.safeParse(options.name)
  if (!name.success)
    throw new Error(`--name "${options.name}": ${name.error.issues[0]?.message ?? 'invalid'}`)
  return targetOf(options.size, options.channels)
}

/** Refuses, before decoding, an import the disk has no room for (scratch file + prepared set). */
async function checkRoom(root: string, bytes: number): Promise<void> {
  const { bavail, bsize } = await statfs(root)
  const free = bavail * bsize
  if (2 * bytes > free)
    throw new Error(
      `the import needs about ${gigabytes(2 * bytes)} of free disk space while it runs (${gigabytes(bytes)} of images, written twice) and ${root} has ${gigabytes(free)}; free some space or choose a smaller --size`
    )
}

const gigabytes = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GB`

export async function importDataset(options: ImportOptions): Promise<ImportReport> {
  const started = performance.now()
  const target = checkOptions(options)
  const { signal, onProgress } = options
  const chunkImages = options.chunkImages ?? CHUNK_IMAGES
  onProgress?.({ phase: 'reading', done: 0, total: 0 })
  const source = await readSource(options.source, signal)
  const skipped: Skipped[] = [...source.skipped]
  const failed: { index: number; skipped: Skipped }[] = []
  const total = source.files.length + source.arrays.reduce((n, a) => n + a.count, 0)
  const pixels = target.size * target.size * target.channels
  const staged = await beginPrepared(options.datasetsRoot, options.name, options.replace)
  const stats: StreamStats = { decodedChunks: 0, writtenChunks: 0, maxBufferedBytes: 0 }
  let decoded: DecodedImages | null = null
  try {
    await checkRoom(options.datasetsRoot, total * pixels)
    decoded = await DecodedImages.create(join(staged.temp, DECODED_FILE), pixels)
    // Every entry's class and split, in source order; null once it failed to decode.
    const samples: (Sample | null)[] = source.files.map((f) => ({ label: f.label, split: f.split }))
    for (const arrays of source.arrays)
      for (let i = 0; i < arrays.count; i++)
        samples.push({ label: arrays.labels?.[i] ?? 'all', split: arrays.split })
    let done = 0
    const tick = (): void => {
      done++
      if (done % PROGRESS_EVERY === 0 || done === total)
        onProgress?.({ phase: 'decoding', done, total })
    }
    onProgress?.({ phase: 'decoding', done: 0, total })
    const buffer = new Uint8Array(Math.min(chunkImages, total) * pixels)
    stats.maxBufferedBytes = buffer.byteLength
    for (let first = 0; first < total; first += chunkImages) {
      const end = Math.min(total, first + chunkImages)
      const put = (index: number, image: Uint8Array): void =>
        buffer.set(image, (index - first) * pixels)
      // The files of this chunk...
      const files = source.files.slice(first, Math.min(end, source.files.length))
      await decodeFiles(
        files.map((f) => f.path),
        target,
        (i, result) => {
          const index = first + i
          if (result instanceof Error) {
            samples[index] = null
            failed.push({
              index,
              skipped: {
                entry: source.files[index]!.entry,
                reason: `cannot be decoded (${result.message})`
              }
            })
          } else put(index, result)
          tick()
        },
        signal
      )
      // ... and its images of arrays (after the files, in the order given).
      let base = source.files.length
      for (const arrays of source.arrays) {
        const from = Math.max(first, base)
        const to = Math.min(end, base + arrays.count)
        if (from < to)
          await forEachLimited(
            to - from,
            DECODING_AT_ONCE,
            async (k) => {
              put(from + k, await decodeArrayImage(arrays, from + k - base, target))
              tick()
            },
            signal
          )
        base += arrays.count
      }
      signal?.throwIfAborted()
      await decoded.write(first, buffer.subarray(0, (end - first) * pixels))
      stats.decodedChunks++
    }
    // In the folder's order, whichever finished first.
    skipped.push(...failed.sort((a, b) => a.index - b.index).map((f) => f.skipped))
    const kept = samples.flatMap((s, index) => (s ? [{ ...s, index }] : []))
    if (kept.length === 0) {
      const why = skipped
        .slice(0, 3)
        .map((s) => `${s.entry}: ${s.reason}`)
        .join('; ')
      throw new Error(`no images could be imported from ${options.source}${why ? ` (${why})` : ''}`)
    }
    const classes = classNamesOf(kept)
    if (classes.length > MAX_CLASSES)
      throw new Error(`${classes.length} classes; at most ${MAX_CLASSES} can be imported`)
    signal?.throwIfAborted()
    onProgress?.({ phase: 'writing', done: 0, total: kept.length })
    const plan = planSplits(kept, classes, options.seed ?? 2026)
    // planSplits numbers the kept images; the scratch file, every entry of the source.
    const slots = (order: number[]): number[] => order.map((k) => kept[k]!.index)
    const manifest = await finishPrepared(
      staged,
      {
        format: 1,
        name: options.name,
        size: target.size,
        channels: target.channels,
        classes,
        counts: {
          train: plan.labels.train.length,
          test: plan.labels.test.length,
          trainPerClass: plan.perClass.train,
          testPerClass: plan.perClass.test
        },
        source: {
          format: source.format,
          name: basename(options.source),
          split: plan.fromFiles ? 'files' : 'seeded'
        },
        skipped: skipped.length,
        importedAt: new Date().toISOString()
      },
      {
        order: { train: slots(plan.order.train), test: slots(plan.order.test) },
        labels: plan.labels
      },
      decoded,
      { chunkImages, stats, signal }
    )
    onProgress?.({ phase: 'writing', done: kept.length, total: kept.length })
    return {
      manifest,
      folder: staged.folder,
      skipped,
      seconds: (performance.now() - started) / 1000,
      stream: stats
    }
  } catch (error) {
    await decoded?.remove().catch(() => undefined)
    await discardPrepared(staged)
    throw error
  }
}
