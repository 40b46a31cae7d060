import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readSync } from 'node:fs'
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { writeIdx } from '../../ml/data/idx'
import { PREPARED_FILES, contentHash, type PreparedSplit } from '../../ml/data/imported'
import {
  MANIFEST_FILE,
  importedDatasetManifestSchema,
  type ImportedDatasetManifest
} from '../../shared/imported-dataset'
import type { Split } from './types'

// Imported data sets in the workspace: `<workspace>/datasets/<name>/` holds the four IDX files of
// the built-in sets (train/t10k images and labels; images N x S x S, or N x S x S x 3 for RGB)
// and dataset.json (the manifest). A set is written into a hidden temporary folder and renamed
// into place, so an interrupted import leaves no half-written set and never replaces one.
//
// The importer streams: each chunk of decoded images goes to a scratch file in that folder (one
// slot per source entry, DecodedImages) as soon as it is decoded; once every image is decoded and
// the split is known, the IDX files are written from the scratch file a chunk at a time, hashed
// as they are written (finishPrepared). Memory holds a chunk, never the set.

type Manifest = Omit<ImportedDatasetManifest, 'contentHash'>

/** A prepared set being written: its hidden folder, and where it goes when complete. */
export interface Staged {
  temp: string
  folder: string
  name: string
  replace: boolean
}

/** Checks the name is free (or may be replaced) and makes the hidden folder to write into. */
export async function beginPrepared(root: string, name: string, replace = false): Promise<Staged> {
  const folder = join(root, name)
  if (existsSync(folder) && !replace)
    throw new Error(
      `a data set named "${name}" already exists (${folder}); choose another name or replace it`
    )
  await mkdir(root, { recursive: true })
  const temp = join(root, `.import-${name}-${randomBytes(4).toString('hex')}`)
  await mkdir(temp)
  return { temp, folder, name, replace }
}

/** Removes what an import that did not finish wrote. */
export async function discardPrepared(staged: Staged): Promise<void> {
  await rm(staged.temp, { recursive: true, force: true })
}

/** Renames the complete set into place (replacing the old one only if that was asked for). */
async function commit(staged: Staged, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  const { temp, folder } = staged
  if (existsSync(folder)) {
    if (!staged.replace)
      throw new Error(
        `a data set named "${staged.name}" already exists (${folder}); choose another name or replace it`
      )
    const old = `${temp}-replaced`
    await rename(folder, old)
    await rename(temp, folder)
    await rm(old, { recursive: true, force: true })
  } else {
    await rename(temp, folder)
  }
}

/** The IDX header of `dims` (unsigned bytes): what writeIdx puts before the data. */
function idxHeader(dims: readonly number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length)
  const view = new DataView(header.buffer)
  view.setUint8(2, 0x08)
  view.setUint8(3, dims.length)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d))
  return header
}

/** Decoded images waiting for the split, one slot of `pixels` bytes per source entry. */
export class DecodedImages {
  private closed = false

  private constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    readonly pixels: number
  ) {}

  static async create(path: string, pixels: number): Promise<DecodedImages> {
    return new DecodedImages(await open(path, 'w+'), path, pixels)
  }

  /** Writes the images of slots first, first + 1, ... (data holds whole images). */
  async write(first: number, data: Uint8Array): Promise<void> {
    let done = 0
    while (done < data.length) {
      const { bytesWritten } = await this.file.write(
        data,
        done,
        data.length - done,
        first * this.pixels + done
      )
      done += bytesWritten
    }
  }

  /** Reads slot `index` into `into` at byte `at`. */
  read(index: number, into: Uint8Array, at: number): void {
    const got = readSync(this.file.fd, into, at, this.pixels, index * this.pixels)
    if (got !== this.pixels) throw new Error(`the import's scratch file lost image ${index}`)
  }

  /** Closes and deletes the scratch file (once; again does nothing). */
  async remove(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.file.close()
    await rm(this.path, { force: true })
  }
}

export interface StreamStats {
  /** Chunks of decoded images written to the scratch file. */
  decodedChunks: number
  /** Chunks of images written to the prepared files. */
  writtenChunks: number
  /** The most image bytes held in memory at once. */
  maxBufferedBytes: number
}

/**
 * Writes the prepared set from the decoded images: each split's images in `order` (slots of
 * `decoded`), `chunkImages` at a time, hashed as they are written; then the manifest; then
 * renames it into place. Returns the manifest with the content hash filled in.
 */
export async function finishPrepared(
  staged: Staged,
  manifest: Manifest,
  plan: { order: Record<Split, readonly number[]>; labels: Record<Split, Uint8Array> },
  decoded: DecodedImages,
  options: { chunkImages: number; stats: StreamStats; signal?: AbortSignal }
): Promise<ImportedDatasetManifest> {
  const { chunkImages, stats, signal } = options
  const { size, channels } = manifest
  const hash = createHash('sha256')
  const buffer = new Uint8Array(chunkImages * decoded.pixels)
  stats.maxBufferedBytes = Math.max(stats.maxBufferedBytes, buffer.byteLength)
  const [trainImages, trainLabels, testImages, testLabels] = PREPARED_FILES
  const out = async (name: string, write: (file: FileHandle) => Promise<void>): Promise<void> => {
    const file = await open(join(staged.temp, name), 'w')
    try {
      await write(file)
    } finally {
      await file.close()
    }
  }
  const put = async (file: FileHandle, data: Uint8Array): Promise<void> => {
    hash.update(data)
    await file.write(data)
  }
  for (const [split, images, labels] of [
    ['train', trainImages!, trainLabels!],
    ['test', testImages!, testLabels!]
  ] as const) {
    const order = plan.order[split]
    const dims = channels === 1 ? [order.length, size, size] : [order.length, size, size, channels]
    await out(images, async (file) => {
      await put(file, idxHeader(dims))
      for (let start = 0; start < order.length; start += chunkImages) {
        signal?.throwIfAborted()
        const end = Math.min(order.length, start + chunkImages)
        for (let k = start; k < end; k++)
          decoded.read(order[k]!, buffer, (k - start) * decoded.pixels)
        await put(file, buffer.subarray(0, (end - start) * decoded.pixels))
        stats.writtenChunks++
      }
    })
    await out(labels, async (file) => {
      await put(file, idxHeader([order.length]))
      await put(file, plan.labels[split])
    })
  }
  hash.update(JSON.stringify(manifest.classes))
  const full = importedDatasetManifestSchema.parse({ ...manifest, contentHash: hash.digest('hex') })
  await writeFile(join(staged.temp, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`)
  await decoded.remove()
  await commit(staged, signal)
  return full
}

function encode(
  split: PreparedSplit,
  size: number,
  channels: 1 | 3
): [images: Uint8Array, labels: Uint8Array] {
  const count = split.labels.length
  const dims = channels === 1 ? [count, size, size] : [count, size, size, channels]
  return [writeIdx(dims, split.images), writeIdx([count], split.labels)]
}

/** Writes a prepared set held in memory, atomically (tests, generated sets). */
export async function writePrepared(
  root: string,
  manifest: Manifest,
  splits: Record<Split, PreparedSplit>,
  options: { replace?: boolean; signal?: AbortSignal } = {}
): Promise<{ manifest: ImportedDatasetManifest; folder: string }> {
  const staged = await beginPrepared(root, manifest.name, options.replace)
  try {
    const files = [
      ...encode(splits.train, manifest.size, manifest.channels),
      ...encode(splits.test, manifest.size, manifest.channels)
    ]
    const full = importedDatasetManifestSchema.parse({
      ...manifest,
      contentHash: contentHash(files, manifest.classes)
    })
    for (const [k, name] of PREPARED_FILES.entries()) {
      options.signal?.throwIfAborted()
      await writeFile(join(staged.temp, name), files[k]!)
    }
    await writeFile(join(staged.temp, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`)
    await commit(staged, options.signal)
    return { manifest: full, folder: staged.folder }
  } catch (error) {
    await discardPrepared(staged)
    throw error
  }
}
