import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { idxFileNames } from './idx'
import { listImported } from './imported'
import { locateIdx, prepareHint, trainableShape, type Split } from './datasets'
import {
  CLASS_NAMES,
  IMAGE_PIXELS,
  IMAGE_SIDE,
  type DatasetSummary,
  type ImageDatasetId
} from '../../shared/schemas'

// What data sets are prepared, from the files' headers alone (no image is read): the built-in
// MNIST and Fashion-MNIST, and the workspace's imported sets from their manifests.

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

/**
 * What is prepared, from the file headers alone: the built-in sets, then (given their folder)
 * the imported ones, by name.
 */
export async function summariseImageSets(
  dir: string,
  imported: string | null = null
): Promise<DatasetSummary[]> {
  const builtIn = await summariseBuiltIn(dir)
  if (imported === null) return builtIn
  const entries = await listImported(imported)
  return [
    ...builtIn,
    ...entries.map((entry): DatasetSummary => {
      const base = { id: entry.name, origin: 'imported' as const }
      if ('error' in entry)
        return {
          ...base,
          contentHash: null,
          available: false,
          train: 0,
          test: 0,
          classNames: ['?'],
          message: entry.error,
          size: IMAGE_SIDE,
          channels: 1
        }
      const m = entry.manifest
      // Readable: a convolutional VAE takes any shape; the dense networks' check refuses others.
      return {
        ...base,
        contentHash: m.contentHash,
        available: true,
        train: m.counts.train,
        test: m.counts.test,
        classNames: m.classes,
        message: trainableShape(m) ?? 'ready',
        size: m.size,
        channels: m.channels
      }
    })
  ]
}

function summariseBuiltIn(dir: string): Promise<DatasetSummary[]> {
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
          origin: 'built-in',
          contentHash: null,
          available: true,
          train,
          test,
          classNames: [...CLASS_NAMES[id]],
          message: 'ready',
          size: IMAGE_SIDE,
          channels: 1
        }
      } catch (error) {
        return {
          id,
          origin: 'built-in',
          contentHash: null,
          available: false,
          train: 0,
          test: 0,
          classNames: [...CLASS_NAMES[id]],
          message: (error as Error).message,
          size: IMAGE_SIDE,
          channels: 1
        }
      }
    })
  )
}
