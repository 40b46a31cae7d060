import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { readIdx } from '../../ml/data/idx'
import type { RawArrays, Split } from './types'

// IDX files (the MNIST layout): `*-images-idx3-ubyte` (N x H x W, or N x H x W x C) with an
// optional `*-labels-idx1-ubyte` beside it, either plain or gzipped (`.gz`).

const IMAGES = /images-idx[34]-ubyte(\.gz)?$/

export const isIdxImages = (name: string): boolean => IMAGES.test(name)

/** The split a file's name states (`train-...`, `t10k-...`, `test-...`), if any. */
export function splitFromName(name: string): Split | null {
  const lower = name.toLowerCase()
  if (/(^|[^a-z])(t10k|test)/.test(lower)) return 'test'
  if (/(^|[^a-z])train/.test(lower)) return 'train'
  return null
}

async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const data = await readFile(path)
  if (!path.endsWith('.gz')) return data
  try {
    return await promisify(gunzip)(data)
  } catch {
    throw new Error(`${basename(path)} is damaged (it does not decompress)`)
  }
}

function parse(path: string, data: Uint8Array): ReturnType<typeof readIdx> {
  try {
    return readIdx(data)
  } catch (error) {
    throw new Error(`${basename(path)}: ${(error as Error).message}`, { cause: error })
  }
}

/** The labels file beside an images file, when there is one. */
function labelsPathFor(imagesPath: string): string | null {
  const name = basename(imagesPath)
  for (const candidate of [
    name.replace(/images-idx[34]-ubyte/, 'labels-idx1-ubyte'),
    name.replace(/images-idx[34]-ubyte(\.gz)?$/, 'labels-idx1-ubyte'),
    name.replace(/images-idx[34]-ubyte(\.gz)?$/, 'labels-idx1-ubyte.gz')
  ]) {
    const path = join(dirname(imagesPath), candidate)
    if (candidate !== name && existsSync(path)) return path
  }
  return null
}

/** Reads one IDX images file and its labels. */
export async function readIdxImages(imagesPath: string): Promise<RawArrays> {
  const file = basename(imagesPath)
  const images = parse(imagesPath, await readMaybeGzipped(imagesPath))
  const [count = 0, height = 0, width = 0, channels = 1] = images.dims
  if (images.dims.length < 3 || images.dims.length > 4)
    throw new Error(
      `${file}: expected N x H x W (or N x H x W x C) images, got ${images.dims.join(' x ')}`
    )
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new Error(`${file}: images of ${channels} channels; expected 1, 3 or 4`)
  let labels: string[] | null = null
  const labelsPath = labelsPathFor(imagesPath)
  if (labelsPath) {
    const parsed = parse(labelsPath, await readMaybeGzipped(labelsPath))
    if (parsed.dims.length !== 1)
      throw new Error(
        `${basename(labelsPath)}: expected one label per image, got ${parsed.dims.join(' x ')}`
      )
    if (parsed.dims[0] !== count)
      throw new Error(
        `${basename(labelsPath)} holds ${parsed.dims[0]} labels but ${file} holds ${count} images`
      )
    labels = Array.from(parsed.data, String)
  }
  return {
    file,
    count,
    height,
    width,
    channels,
    pixels: images.data,
    labels,
    split: splitFromName(file)
  }
}
