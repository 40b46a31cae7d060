import { readdir, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { readCsv } from './csv'
import { scanImageFolder, IMAGE_EXTENSIONS } from './folder'
import { isIdxImages, readIdxImages } from './idx'
import { readNpyFile, readNpzFile } from './numpy'
import type { Source } from './types'

// What a path holds, read into one Source: a folder of class folders, a folder of IDX or CSV
// files (train and test by their names), or one IDX images file, CSV, .npy or .npz file.

const FORMATS =
  'a folder of class folders of images, IDX files (*-images-idx3-ubyte), a CSV file (label,pixel0,...), or a NumPy .npy/.npz file'

async function readFile(path: string, signal?: AbortSignal): Promise<Source> {
  const name = basename(path)
  const ext = extname(name).toLowerCase()
  if (isIdxImages(name))
    return { format: 'idx', files: [], arrays: [await readIdxImages(path)], skipped: [] }
  if (ext === '.csv') {
    const { arrays, skipped } = await readCsv(path, signal)
    return { format: 'csv', files: [], arrays: [arrays], skipped }
  }
  if (ext === '.npy')
    return { format: 'npy', files: [], arrays: [await readNpyFile(path)], skipped: [] }
  if (ext === '.npz')
    return { format: 'npz', files: [], arrays: await readNpzFile(path), skipped: [] }
  if (IMAGE_EXTENSIONS.includes(ext))
    throw new Error(`${name} is one image; give the folder of class folders it belongs in`)
  throw new Error(`${name}: not a format the lab imports (${FORMATS})`)
}

/** Reads what `path` holds, as far as decoding image files. */
export async function readSource(path: string, signal?: AbortSignal): Promise<Source> {
  let info
  try {
    info = await stat(path)
  } catch {
    throw new Error(`${path} does not exist or cannot be read`)
  }
  if (!info.isDirectory()) return readFile(path, signal)
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort()
  const idx = names.filter(isIdxImages)
  if (idx.length > 0) {
    const arrays = []
    for (const name of idx) arrays.push(await readIdxImages(join(path, name)))
    return { format: 'idx', files: [], arrays, skipped: [] }
  }
  const csvs = names.filter((n) => extname(n).toLowerCase() === '.csv')
  if (csvs.length > 0) {
    const source: Source = { format: 'csv', files: [], arrays: [], skipped: [] }
    for (const name of csvs) {
      const { arrays, skipped } = await readCsv(join(path, name), signal)
      source.arrays.push(arrays)
      source.skipped.push(...skipped)
    }
    return source
  }
  const { files, skipped } = await scanImageFolder(path)
  return { format: 'image-folder', files, arrays: [], skipped }
}
