import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { parseFontsJson } from './fonts'
import { idxFileNames, readIdx } from './idx'
import {
  IMAGE_PIXELS,
  IMAGE_SIDE,
  isBuiltInDataset,
  type DatasetName,
  type Font,
  CLASS_NAMES
} from '../../shared/schemas'
import type { ImportedDatasetManifest } from '../../shared/imported-dataset'
import { listImported, loadImportedSplit, type DiskImages } from './imported'

// Loads the lab's data sets from a datasets folder: fonts.json, and MNIST / Fashion-MNIST as
// prepared by prepare-datasets.ts (IDX files; 60,000 training and 10,000 test images each). A
// packaged app ships the IDX files gzipped (scripts/pack-datasets.mjs): each file is read as
// prepared or, when only `<name>.gz` is there, decompressed in memory. Data sets the user
// imported are read from the workspace's folder of them (imported.ts), checked against their
// content hash.

/**
 * Where the imported data sets of this process's workspace are (`<workspace>/datasets`): set
 * once by the training worker (from its workerData) and by `lab train` (from --workspace). Hosts,
 * which may serve several workspaces, pass the folder to each call instead.
 */
let importedRoot: string | null = null

export function useImportedDatasets(root: string | null): void {
  importedRoot = root
}

export type { ImageDatasetId } from '../../shared/schemas'
export type Split = 'train' | 'test'

export { CLASS_NAMES } from '../../shared/schemas'

export { IMAGE_SIDE, IMAGE_PIXELS } from '../../shared/schemas'

export async function loadFonts(dir: string): Promise<Font[]> {
  const path = join(dir, 'fonts.json')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`the character sets are missing: ${path} cannot be read`)
  }
  return parseFontsJson(text)
}

export interface ImageSet {
  count: number
  /** count x side x side x channels levels, 0-255, row-major (784 grey ones unless `anyShape`). */
  images: Uint8Array
  labels: Uint8Array
  /** Images are side x side pixels of `channels` (1 grey, 3 RGB interleaved). */
  side: number
  channels: 1 | 3
}

export { idxFileNames } from './idx'

export const prepareHint = 'run `npm run prepare-data` to prepare it'

/** The suffix of an IDX file as a packaged app ships it. */
export const GZIPPED = '.gz'

/** An IDX file as prepared, or gzipped as shipped; null if neither is there. */
export function locateIdx(path: string): { path: string; gzipped: boolean } | null {
  if (existsSync(path)) return { path, gzipped: false }
  if (existsSync(`${path}${GZIPPED}`)) return { path: `${path}${GZIPPED}`, gzipped: true }
  return null
}

async function readIdxFile(file: { path: string; gzipped: boolean }): Promise<Uint8Array> {
  const data = await readFile(file.path)
  if (!file.gzipped) return data
  try {
    return await promisify(gunzip)(data)
  } catch {
    throw new Error(`${file.path} is damaged (it does not decompress)`)
  }
}

/** The VAE's networks take 28x28 grey images: an imported set of another shape is refused. */
export function trainableShape(manifest: ImportedDatasetManifest): string | null {
  if (manifest.size === IMAGE_SIDE && manifest.channels === 1) return null
  return `the VAE trains on ${IMAGE_SIDE}x${IMAGE_SIDE} grey images, and "${manifest.name}" has ${manifest.size}x${manifest.size} ${manifest.channels === 1 ? 'grey' : 'RGB'} ones: import it again with --size ${IMAGE_SIDE} --channels 1`
}

export interface ImageSetOptions {
  /** The folder of the workspace's imported sets (by default, the one this process uses). */
  importedRoot?: string | null
  /** The content hash the caller expects of an imported set (the one its run was trained on). */
  hash?: string
  /** Any size and channels an imported set has (a convolutional VAE's), not only 28x28 grey. */
  anyShape?: boolean
}

/**
 * Loads one split of MNIST, Fashion-MNIST or an imported set; the arrays are views on the file
 * contents. An imported set must be 28x28 grey, match its content hash and, when `hash` is
 * given, be the version the caller expects.
 */
export async function loadImageSet(
  dir: string,
  id: DatasetName,
  split: Split,
  options: ImageSetOptions = {}
): Promise<ImageSet> {
  if (!isBuiltInDataset(id)) return loadImportedSet(id, split, options)
  const names = idxFileNames(split)
  const imagesFile = locateIdx(join(dir, id, names.images))
  const labelsFile = locateIdx(join(dir, id, names.labels))
  if (!imagesFile || !labelsFile) {
    throw new Error(`${id} (${split}) is not prepared: ${prepareHint}`)
  }
  const imagesPath = imagesFile.path
  const labelsPath = labelsFile.path
  const [imageFile, labelFile] = await Promise.all([
    readIdxFile(imagesFile),
    readIdxFile(labelsFile)
  ])
  const images = readIdx(imageFile)
  const labels = readIdx(labelFile)
  const [count = 0, rows, cols] = images.dims
  if (images.dims.length !== 3 || rows !== IMAGE_SIDE || cols !== IMAGE_SIDE) {
    throw new Error(`${imagesPath}: expected N x 28 x 28 images, got ${images.dims.join(' x ')}`)
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new Error(`${labelsPath}: expected ${count} labels, got ${labels.dims.join(' x ')}`)
  }
  const classes = CLASS_NAMES[id].length
  if (labels.data.some((label) => label >= classes))
    throw new Error(`${labelsPath}: a label is outside 0-${classes - 1}`)
  return { count, images: images.data, labels: labels.data, side: IMAGE_SIDE, channels: 1 }
}

async function loadImportedSet(
  name: string,
  split: Split,
  options: ImageSetOptions
): Promise<ImageSet> {
  const loaded = await importedSplit(name, split, options)
  if ('disk' in loaded) {
    loaded.disk.close()
    throw new Error(
      `the training images of "${name}" are larger than the lab holds in memory (${loaded.manifest.counts.train} images); training reads them from disk`
    )
  }
  const { size, channels } = loaded.manifest
  return {
    count: loaded.labels.length,
    images: loaded.images,
    labels: loaded.labels,
    side: size,
    channels
  }
}

async function importedSplit(name: string, split: Split, options: ImageSetOptions) {
  const root = options.importedRoot === undefined ? importedRoot : options.importedRoot
  if (root === null)
    throw new Error(
      `"${name}" is not a built-in data set, and this lab has no workspace to import data sets into`
    )
  const loaded = await loadImportedSplit(root, name, split)
  const refused = options.anyShape === true ? null : trainableShape(loaded.manifest)
  const wrong =
    refused ??
    (options.hash !== undefined && options.hash !== loaded.manifest.contentHash
      ? changedMessage(name)
      : null)
  if (wrong) {
    if ('disk' in loaded) loaded.disk.close()
    throw new Error(wrong)
  }
  return loaded
}

/**
 * A data set's training images for a training loop (every image VAE kind: vae, cvae, conv-vae):
 * in memory, or (an imported set larger than the in-memory limit, imported.ts) read from disk a
 * batch at a time. The labels are always in memory. Close it when done.
 */
export type TrainingImages = {
  count: number
  /** Values per image: side x side x channels. */
  size: number
  side: number
  channels: number
  labels: Uint8Array
  close(): void
} & ({ images: Uint8Array } | { read: DiskImages['read']; disk: DiskImages })

export async function loadTrainingImages(
  dir: string,
  id: DatasetName,
  options: ImageSetOptions = {}
): Promise<TrainingImages> {
  if (!isBuiltInDataset(id)) {
    const loaded = await importedSplit(id, 'train', options)
    const { size: side, channels } = loaded.manifest
    const shape = { side, channels, size: side * side * channels, labels: loaded.labels }
    if ('disk' in loaded) {
      const disk = loaded.disk
      return { ...shape, count: disk.count, read: disk.read, disk, close: disk.close }
    }
    return { ...shape, count: loaded.labels.length, images: loaded.images, close: () => undefined }
  }
  const set = await loadImageSet(dir, id, 'train', options)
  return {
    count: set.count,
    size: IMAGE_PIXELS,
    side: set.side,
    channels: set.channels,
    labels: set.labels,
    images: set.images,
    close: () => undefined
  }
}

/** What a run's data set that was imported again (or otherwise changed) since is told. */
export const changedMessage = (name: string): string =>
  `the data set "${name}" has changed since this run was trained on it (its content hash differs); import the original again to use it`

/**
 * Whether an imported data set a run was trained on (`hash`) is still there unchanged: null if
 * so, else what is wrong. Reads the manifest only; loading the set checks its files as well.
 */
export async function checkImportedSet(
  root: string,
  name: string,
  hash: string | undefined
): Promise<string | null> {
  const entry = (await listImported(root)).find((e) => e.name === name)
  if (!entry) return `the data set "${name}" is not in this workspace (${root}); import it again`
  if ('error' in entry) return entry.error
  if (hash !== undefined && entry.manifest.contentHash !== hash) return changedMessage(name)
  return null
}
