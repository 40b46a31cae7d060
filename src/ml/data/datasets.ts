import { existsSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { constants as zlibConstants, gunzip, gunzipSync } from 'node:zlib'
import { parseFontsJson } from './fonts'
import { readIdx } from './idx'
import {
  IMAGE_PIXELS,
  IMAGE_SIDE,
  type DatasetSummary,
  type Font,
  type ImageDatasetId,
  CLASS_NAMES
} from '../../shared/schemas'

// Loads the lab's data sets from a datasets folder: fonts.json, and MNIST / Fashion-MNIST as
// prepared by prepare-datasets.ts (IDX files; 60,000 training and 10,000 test images each). A
// packaged app ships the IDX files gzipped (scripts/pack-datasets.mjs): each file is read as
// prepared or, when only `<name>.gz` is there, decompressed in memory.

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
  /** count x 784 grey levels, 0-255, row-major. */
  images: Uint8Array
  labels: Uint8Array
}

export const idxFileNames = (split: Split): { images: string; labels: string } => ({
  images: `${split === 'train' ? 'train' : 't10k'}-images-idx3-ubyte`,
  labels: `${split === 'train' ? 'train' : 't10k'}-labels-idx1-ubyte`
})

const prepareHint = 'run `npm run prepare-data` to prepare it'

/** The suffix of an IDX file as a packaged app ships it. */
export const GZIPPED = '.gz'

/** An IDX file as prepared, or gzipped as shipped; null if neither is there. */
function locateIdx(path: string): { path: string; gzipped: boolean } | null {
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

/** Loads one split of MNIST or Fashion-MNIST; the arrays are views on the file contents. */
export async function loadImageSet(
  dir: string,
  id: ImageDatasetId,
  split: Split
): Promise<ImageSet> {
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
  if (labels.data.some((label) => label > 9))
    throw new Error(`${labelsPath}: a label is outside 0-9`)
  return { count, images: images.data, labels: labels.data }
}

/** Reads only the header of a split's image file and checks the file's size against it. */
async function countImages(dir: string, id: ImageDatasetId, split: Split): Promise<number> {
  const path = join(dir, id, idxFileNames(split).images)
  const found = locateIdx(path)
  if (!found) throw new Error(`${id} (${split}) is not prepared: ${prepareHint}`)
  const file = await open(found.path, 'r')
  try {
    let header = new Uint8Array(16)
    let { size } = await file.stat()
    if (found.gzipped) {
      // The header is the start of the stream; the size is the gzip trailer's (modulo 2^32).
      const start = new Uint8Array(Math.min(size, 4096))
      const trailer = new Uint8Array(4)
      await file.read(start, 0, start.length, 0)
      await file.read(trailer, 0, 4, Math.max(0, size - 4))
      try {
        header = gunzipSync(start, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 16)
      } catch {
        throw new Error(`${found.path} is damaged (it does not decompress)`)
      }
      size = new DataView(trailer.buffer).getUint32(0, true)
    } else {
      await file.read(header, 0, 16, 0)
    }
    if (header.length < 16) throw new Error(`${found.path} is damaged: ${prepareHint}`)
    const view = new DataView(header.buffer, header.byteOffset, 16)
    const count = view.getUint32(4)
    if (view.getUint32(0) !== 0x803 || size !== (16 + count * IMAGE_PIXELS) % 2 ** 32)
      throw new Error(`${found.path} is damaged: ${prepareHint}`)
    return count
  } finally {
    await file.close()
  }
}

/** What is prepared, from the file headers alone. */
export async function summariseImageSets(dir: string): Promise<DatasetSummary[]> {
  const ids: ImageDatasetId[] = ['mnist', 'fashion-mnist']
  return Promise.all(
    ids.map(async (id): Promise<DatasetSummary> => {
      try {
        const [train, test] = await Promise.all([
          countImages(dir, id, 'train'),
          countImages(dir, id, 'test')
        ])
        return {
          id,
          available: true,
          train,
          test,
          classNames: [...CLASS_NAMES[id]],
          message: 'ready'
        }
      } catch (error) {
        return {
          id,
          available: false,
          train: 0,
          test: 0,
          classNames: [...CLASS_NAMES[id]],
          message: (error as Error).message
        }
      }
    })
  )
}
