import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { decodeArrayImage, decodeImage, targetOf, type Target } from './decode'
import { readSource } from './detect'
import { TEST_SHARE, classNamesOf } from './split'
import type { Skipped, Source, Split } from './types'
import type { ImportFormat } from '../../shared/imported-dataset'

// A look before importing: how many images each class has (from the listing or the labels,
// without decoding them all) and the first few images of each class, decoded as the import
// would; what the listing already shows to be skipped. `lab import-data --preview grid.png`
// writes the images as one grid, a row per class.

export interface ImportPreview {
  format: ImportFormat
  target: Target
  /** Each class: its images, how the split will divide them, and its first images decoded. */
  classes: { name: string; count: number; train: number; test: number; images: Uint8Array[] }[]
  /** 'files' when every image's split comes from the files, else 'seeded' (85/15 per class). */
  split: 'files' | 'seeded'
  skipped: Skipped[]
}

type Entry = {
  label: string
  split: Split | null
  decode: () => Promise<Uint8Array>
  entry: string
}

function entriesOf(source: Source, target: Target): Entry[] {
  const entries: Entry[] = source.files.map((file) => ({
    label: file.label,
    split: file.split,
    entry: file.entry,
    decode: async () => decodeImage(await readFile(file.path), target)
  }))
  for (const arrays of source.arrays)
    for (let i = 0; i < arrays.count; i++)
      entries.push({
        label: arrays.labels?.[i] ?? 'all',
        split: arrays.split,
        entry: `${arrays.file} image ${i}`,
        decode: () => decodeArrayImage(arrays, i, target)
      })
  return entries
}

export async function previewImport(options: {
  source: string
  size?: number
  channels?: 1 | 3
  perClass?: number
  signal?: AbortSignal
}): Promise<ImportPreview> {
  const target = targetOf(options.size, options.channels)
  const perClass = options.perClass ?? 8
  const source = await readSource(options.source, options.signal)
  const skipped = [...source.skipped]
  const entries = entriesOf(source, target)
  const names = classNamesOf(entries.map((e) => ({ label: e.label })))
  const classes = names.map((name) => ({
    name,
    count: 0,
    train: 0,
    test: 0,
    images: [] as Uint8Array[]
  }))
  const byName = new Map(classes.map((c) => [c.name, c]))
  // As assignSplits will divide them: the files' split where given, else TEST_SHARE per class.
  const unsplit = new Map(names.map((name) => [name, 0]))
  for (const e of entries) {
    const found = byName.get(e.label)!
    found.count++
    if (e.split) found[e.split]++
    else unsplit.set(e.label, unsplit.get(e.label)! + 1)
    if (found.images.length >= perClass) continue
    options.signal?.throwIfAborted()
    try {
      found.images.push(await e.decode())
    } catch (error) {
      skipped.push({ entry: e.entry, reason: `cannot be decoded (${(error as Error).message})` })
    }
  }
  for (const c of classes) {
    const rest = unsplit.get(c.name)!
    const tests = Math.round(rest * TEST_SHARE)
    c.test += tests
    c.train += rest - tests
  }
  const split = entries.every((e) => e.split !== null) ? 'files' : 'seeded'
  return { format: source.format, target, classes, split, skipped }
}

/** The preview's images as one PNG: a row per class, black where a class has fewer. */
export async function previewGrid(preview: ImportPreview, perClass = 8): Promise<Buffer> {
  const { size, channels } = preview.target
  const rows = Math.max(1, preview.classes.length)
  const width = size * perClass
  const raw = Buffer.alloc(width * size * rows * channels)
  preview.classes.forEach((c, row) =>
    c.images.forEach((image, col) => {
      for (let y = 0; y < size; y++)
        raw.set(
          image.subarray(y * size * channels, (y + 1) * size * channels),
          ((row * size + y) * width + col * size) * channels
        )
    })
  )
  return sharp(raw, { raw: { width, height: size * rows, channels } })
    .png()
    .toBuffer()
}
