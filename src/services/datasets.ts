import { existsSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseFontsJson } from '../ml/data/fonts'
import { readIdx } from '../ml/data/idx'
import {
  IMAGE_PIXELS,
  IMAGE_SIDE,
  type DatasetSummary,
  type Font,
  type ImageDatasetId,
  CLASS_NAMES
} from '../shared/schemas'

// Loads the lab's data sets from a datasets folder: fonts.json, and MNIST / Fashion-MNIST as
// prepared by prepare-datasets.ts (IDX files; 60,000 training and 10,000 test images each).

export type { ImageDatasetId } from '../shared/schemas'
export type Split = 'train' | 'test'

export { CLASS_NAMES } from '../shared/schemas'

export { IMAGE_SIDE, IMAGE_PIXELS } from '../shared/schemas'

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

/** Loads one split of MNIST or Fashion-MNIST; the arrays are views on the file contents. */
export async function loadImageSet(
  dir: string,
  id: ImageDatasetId,
  split: Split
): Promise<ImageSet> {
  const names = idxFileNames(split)
  const imagesPath = join(dir, id, names.images)
  const labelsPath = join(dir, id, names.labels)
  if (!existsSync(imagesPath) || !existsSync(labelsPath)) {
    throw new Error(`${id} (${split}) is not prepared: ${prepareHint}`)
  }
  const [imageFile, labelFile] = await Promise.all([readFile(imagesPath), readFile(labelsPath)])
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
  if (!existsSync(path)) throw new Error(`${id} (${split}) is not prepared: ${prepareHint}`)
  const file = await open(path, 'r')
  try {
    const header = new Uint8Array(16)
    await file.read(header, 0, 16, 0)
    const { size } = await file.stat()
    const view = new DataView(header.buffer)
    const count = view.getUint32(4)
    if (view.getUint32(0) !== 0x803 || size !== 16 + count * IMAGE_PIXELS)
      throw new Error(`${path} is damaged: ${prepareHint}`)
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
