import { createHash } from 'node:crypto'
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync } from 'node:fs'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  MANIFEST_FILE,
  importedDatasetManifestSchema,
  type ImportedDatasetManifest
} from '../../shared/imported-dataset'
import { idxFileNames, readIdx } from './idx'

// The data sets a user imported into a workspace (`lab import-data`, services/import-data/):
// `<workspace>/datasets/<name>/` holds the four IDX files of the built-in sets (images N x S x S,
// or N x S x S x 3 for RGB) and dataset.json, the manifest, with a sha256 content hash of the
// files. Read here, for training, listing and checking sessions; written by the importer.

/** Where a workspace keeps its imported data sets. */
export const importedDatasetsRoot = (workspace: string): string => join(workspace, 'datasets')

/** The four prepared files, in the order the content hash reads them. */
export const PREPARED_FILES = (['train', 'test'] as const).flatMap((split) => {
  const names = idxFileNames(split)
  return [names.images, names.labels]
})

/** sha256 of the prepared files (in PREPARED_FILES order) and the class names. */
export function contentHash(files: readonly Uint8Array[], classes: readonly string[]): string {
  const hash = createHash('sha256')
  for (const file of files) hash.update(file)
  hash.update(JSON.stringify(classes))
  return hash.digest('hex')
}

/** The manifest of an imported set, checked. */
export async function readManifest(root: string, name: string): Promise<ImportedDatasetManifest> {
  const path = join(root, name, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`the data set "${name}" is not in ${root}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`${path} is damaged (not JSON)`)
  }
  const parsed = importedDatasetManifestSchema.safeParse(json)
  if (!parsed.success)
    throw new Error(`${path} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  if (parsed.data.name !== name)
    throw new Error(`${path} describes "${parsed.data.name}", not "${name}"`)
  return parsed.data
}

export type ImportedEntry =
  { name: string; manifest: ImportedDatasetManifest } | { name: string; error: string }

/** Every imported set in `root` (hidden folders, such as an import under way, are not). */
export async function listImported(root: string): Promise<ImportedEntry[]> {
  let names: string[]
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
  return Promise.all(
    names.map(async (name): Promise<ImportedEntry> => {
      try {
        return { name, manifest: await readManifest(root, name) }
      } catch (error) {
        return { name, error: (error as Error).message }
      }
    })
  )
}

export interface PreparedSplit {
  images: Uint8Array
  labels: Uint8Array
}

export interface LoadedImported {
  manifest: ImportedDatasetManifest
  train: PreparedSplit
  test: PreparedSplit
}

/** Loads an imported set whole, checking its files against the manifest's content hash. */
export async function loadImported(root: string, name: string): Promise<LoadedImported> {
  const manifest = await readManifest(root, name)
  const raw = await Promise.all(
    PREPARED_FILES.map(async (file) => {
      try {
        return await readFile(join(root, name, file))
      } catch {
        throw new Error(`the data set "${name}" is incomplete: ${file} is missing`)
      }
    })
  )
  if (contentHash(raw, manifest.classes) !== manifest.contentHash)
    throw new Error(
      `the data set "${name}" has changed since it was imported (its files do not match its content hash); import it again`
    )
  const [trainImages, trainLabels, testImages, testLabels] = raw.map((data) => {
    try {
      return readIdx(data).data
    } catch (error) {
      throw new Error(`the data set "${name}" is damaged: ${(error as Error).message}`, {
        cause: error
      })
    }
  })
  for (const labels of [trainLabels!, testLabels!])
    if (labels.some((label) => label >= manifest.classes.length))
      throw new Error(
        `the data set "${name}" is damaged: a label is outside its ${manifest.classes.length} classes`
      )
  return {
    manifest,
    train: { images: trainImages!, labels: trainLabels! },
    test: { images: testImages!, labels: testLabels! }
  }
}

// --- Sets larger than memory should hold: the training split read from disk in batches ---

/** Sets whose prepared images (train + test) take more bytes than this train from disk. */
export const DEFAULT_IN_MEMORY_LIMIT = 1024 ** 3

/** `LAB_DATASET_MEMORY_LIMIT`: bytes, or a number with K, M or G (powers of 1024). */
export function parseMemoryLimit(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$/i.exec(text)
  if (!match) throw new Error(`LAB_DATASET_MEMORY_LIMIT="${text}": expected bytes, e.g. 512M or 2G`)
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '']
  return Math.floor(Number(match[1]) * scale)
}

let memoryLimit: number | null = null

/** The limit in force: set by setInMemoryLimit, else LAB_DATASET_MEMORY_LIMIT, else 1 GB. */
export function inMemoryLimit(): number {
  return (
    memoryLimit ??
    parseMemoryLimit(process.env['LAB_DATASET_MEMORY_LIMIT']) ??
    DEFAULT_IN_MEMORY_LIMIT
  )
}

/** Sets the limit for this process (null: back to the environment's or the default). */
export function setInMemoryLimit(bytes: number | null): void {
  memoryLimit = bytes
}

/** Bytes of a set's prepared images, both splits. */
export const preparedBytes = (m: ImportedDatasetManifest): number =>
  (m.counts.train + m.counts.test) * m.size * m.size * m.channels

/** Images read from their IDX file on demand; only the batch asked for is ever held. */
export interface DiskImages {
  count: number
  /** Bytes per image. */
  pixels: number
  /** Reads images `indices` into `into` (image b at b x pixels), synchronously. */
  read(indices: ArrayLike<number>, into: Uint8Array): void
  /** Bytes read so far (tests check that batches, not the set, were read). */
  bytesRead(): number
  close(): void
}

/** Opens an IDX images file for reading images by index (its header checked against `count`). */
export function openDiskImages(path: string, count: number, pixels: number): DiskImages {
  const fd = openSync(path, 'r')
  try {
    const head = new Uint8Array(4)
    readSync(fd, head, 0, 4, 0)
    const ndims = head[3]!
    const dims = new Uint8Array(4 * ndims)
    readSync(fd, dims, 0, dims.length, 4)
    const view = new DataView(dims.buffer)
    const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 * i))
    const offset = 4 + 4 * ndims
    if (shape[0] !== count || shape.slice(1).reduce((a, b) => a * b, 1) !== pixels)
      throw new Error(
        `${path} holds ${shape.join(' x ')} images; expected ${count} of ${pixels} bytes`
      )
    if (fstatSync(fd).size !== offset + count * pixels)
      throw new Error(`${path} is truncated (its header promises ${count} images)`)
    let read = 0
    return {
      count,
      pixels,
      read(indices, into) {
        for (let b = 0; b < indices.length; b++) {
          const index = indices[b]!
          if (!(index >= 0 && index < count)) throw new Error(`no image ${index} in ${path}`)
          read += readSync(fd, into, b * pixels, pixels, offset + index * pixels)
        }
      },
      bytesRead: () => read,
      close: () => closeSync(fd)
    }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/** Hashes already checked, by file identity (path, size, modification time). */
const checked = new Map<string, string>()

/** contentHash, computed by streaming the files (memory stays bounded), cached per file state. */
async function streamedHash(folder: string, classes: readonly string[]): Promise<string> {
  const states = await Promise.all(
    PREPARED_FILES.map(async (file) => {
      const info = await stat(join(folder, file))
      return `${file}:${info.size}:${info.mtimeMs}`
    })
  )
  const key = `${folder}\u0000${states.join('|')}\u0000${JSON.stringify(classes)}`
  const known = checked.get(key)
  if (known) return known
  const hash = createHash('sha256')
  for (const file of PREPARED_FILES)
    for await (const chunk of createReadStream(join(folder, file))) hash.update(chunk as Buffer)
  hash.update(JSON.stringify(classes))
  const digest = hash.digest('hex')
  checked.set(key, digest)
  return digest
}

export type ImportedSplit =
  | { manifest: ImportedDatasetManifest; labels: Uint8Array; images: Uint8Array }
  | { manifest: ImportedDatasetManifest; labels: Uint8Array; disk: DiskImages }

/**
 * One split of an imported set. A set within the in-memory limit is loaded whole (loadImported);
 * a larger one is checked by streaming its files, its labels and (for the test split) its images
 * read into memory, and its training images left on disk, read a batch at a time (`disk`).
 */
export async function loadImportedSplit(
  root: string,
  name: string,
  split: 'train' | 'test',
  limit = inMemoryLimit()
): Promise<ImportedSplit> {
  const manifest = await readManifest(root, name)
  if (preparedBytes(manifest) <= limit) {
    const loaded = await loadImported(root, name)
    return { manifest, ...loaded[split] }
  }
  const folder = join(root, name)
  for (const file of PREPARED_FILES)
    if (!existsSync(join(folder, file)))
      throw new Error(`the data set "${name}" is incomplete: ${file} is missing`)
  if ((await streamedHash(folder, manifest.classes)) !== manifest.contentHash)
    throw new Error(
      `the data set "${name}" has changed since it was imported (its files do not match its content hash); import it again`
    )
  const names = idxFileNames(split)
  const damaged = (error: unknown): Error =>
    new Error(`the data set "${name}" is damaged: ${(error as Error).message}`, { cause: error })
  let labels: Uint8Array
  try {
    labels = readIdx(await readFile(join(folder, names.labels))).data
  } catch (error) {
    throw damaged(error)
  }
  if (labels.some((label) => label >= manifest.classes.length))
    throw new Error(
      `the data set "${name}" is damaged: a label is outside its ${manifest.classes.length} classes`
    )
  const pixels = manifest.size * manifest.size * manifest.channels
  if (split === 'test') {
    try {
      return { manifest, labels, images: readIdx(await readFile(join(folder, names.images))).data }
    } catch (error) {
      throw damaged(error)
    }
  }
  try {
    return {
      manifest,
      labels,
      disk: openDiskImages(join(folder, names.images), labels.length, pixels)
    }
  } catch (error) {
    throw damaged(error)
  }
}
