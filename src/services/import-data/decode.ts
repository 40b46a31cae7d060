import { readFile } from 'node:fs/promises'
import sharp, { type Sharp } from 'sharp'
import { MAX_IMPORT_SIZE, MIN_IMPORT_SIZE } from '../../shared/imported-dataset'
import type { RawArrays } from './types'

// Decoding and resizing with sharp (libvips): every image becomes size x size pixels of 1 (grey)
// or 3 (RGB) channels, 8 bits each. Transparency is flattened onto black; an image that is not
// square is centre-cropped to a square before it is resized (fit: cover), so mixed sizes are
// fine; grey images imported as RGB repeat the grey level, RGB images imported as grey become
// their luminance.

// Many small images: no cache to fill, and one libvips thread per image while several images
// are decoded at once (on libuv's thread pool) rather than several threads on one small image.
sharp.cache(false)
sharp.concurrency(1)

export interface Target {
  size: number
  channels: 1 | 3
}

/** The size and channels asked for, checked (28 and grey unless given). */
export function targetOf(size = 28, channels: number = 1): Target {
  if (!Number.isInteger(size) || size < MIN_IMPORT_SIZE || size > MAX_IMPORT_SIZE)
    throw new Error(
      `--size must be a whole number of pixels from ${MIN_IMPORT_SIZE} to ${MAX_IMPORT_SIZE}, not ${size}`
    )
  if (channels !== 1 && channels !== 3)
    throw new Error(`--channels must be 1 or 3, not ${channels}`)
  return { size, channels }
}

/** Images decoded at once (on libuv's thread pool, 4 threads by default). */
export const DECODING_AT_ONCE = 8

/** Flattens, crops, resizes and converts; `width` images of the target size side by side. */
async function finish(image: Sharp, target: Target & { width?: number }): Promise<Buffer> {
  const width = target.size * (target.width ?? 1)
  const shaped = image
    .flatten({ background: '#000000' })
    .resize(width, target.size, { fit: 'cover', position: 'centre' })
  const coloured = target.channels === 1 ? shaped.greyscale() : shaped.toColourspace('srgb')
  const { data, info } = await coloured
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== target.channels || data.length !== width * target.size * target.channels)
    throw new Error(
      `decoded to ${info.width}x${info.height} with ${info.channels} channels; expected ${width}x${target.size} with ${target.channels}`
    )
  return data
}

/** Decodes an encoded image (PNG, JPEG, WebP, GIF: the first frame). Throws if it cannot. */
export async function decodeImage(data: Buffer, target: Target): Promise<Uint8Array> {
  return finish(sharp(data, { failOn: 'error', pages: 1 }), target)
}

/** Images decoded in one libvips pipeline: a row of them joined into one image. */
const BATCH = 64

/**
 * Decodes image files, handing each result (or why it failed) to `done`. Most data sets are
 * images already at the target size: those are decoded BATCH at a time, joined side by side
 * into one image (sharp's join), which costs a third of the CPU time of one pipeline each; the
 * rest, and every image of a batch that fails, go through decodeImage one at a time.
 */
export async function decodeFiles(
  paths: readonly string[],
  target: Target,
  done: (index: number, result: Uint8Array | Error) => void,
  signal?: AbortSignal
): Promise<void> {
  type Pending = { index: number; data: Buffer }
  // One batch per channel count: joining images of different bands would make copies of a grey
  // image's one band, which then would pass for alpha.
  const batches = new Map<number, Pending[]>()
  const one = async ({ index, data }: Pending): Promise<void> => {
    try {
      done(index, await decodeImage(data, target))
    } catch (error) {
      done(index, error as Error)
    }
  }
  const flush = async (items: Pending[]): Promise<void> => {
    let joined: Buffer
    try {
      joined = await finish(
        sharp(
          items.map((item) => item.data),
          { failOn: 'error', join: { across: items.length } }
        ),
        { ...target, width: items.length }
      )
    } catch {
      for (const item of items) await one(item)
      return
    }
    const { size, channels } = target
    const row = size * channels
    items.forEach(({ index }, k) => {
      const pixels = new Uint8Array(size * row)
      for (let y = 0; y < size; y++)
        pixels.set(
          joined.subarray((y * items.length + k) * row, (y * items.length + k + 1) * row),
          y * row
        )
      done(index, pixels)
    })
  }
  await forEachLimited(
    paths.length,
    DECODING_AT_ONCE,
    async (index) => {
      let data: Buffer
      let bands: number | null
      try {
        data = await readFile(paths[index]!)
        const meta = await sharp(data).metadata()
        const batchable =
          meta.width === target.size &&
          meta.height === target.size &&
          (meta.pages ?? 1) === 1 &&
          meta.depth === 'uchar'
        bands = batchable ? meta.channels : null
      } catch (error) {
        done(index, error as Error)
        return
      }
      if (bands === null) return one({ index, data })
      const batch = batches.get(bands) ?? []
      batch.push({ index, data })
      batches.set(bands, batch.length >= BATCH ? [] : batch)
      if (batch.length >= BATCH) await flush(batch)
    },
    signal
  )
  signal?.throwIfAborted()
  for (const batch of batches.values()) if (batch.length > 0) await flush(batch)
}

/** Image `index` of an array, at the target size and channels. */
export async function decodeArrayImage(
  arrays: RawArrays,
  index: number,
  target: Target
): Promise<Uint8Array> {
  const { width, height, channels } = arrays
  const length = width * height * channels
  const pixels = arrays.pixels.subarray(index * length, (index + 1) * length)
  if (width === target.size && height === target.size && channels === target.channels) return pixels
  const raw = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  return finish(sharp(raw, { raw: { width, height, channels } }), target)
}

/** Runs `work` on 0..count-1 with at most `limit` at once; stops at the first abort. */
export async function forEachLimited(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
  signal?: AbortSignal
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      signal?.throwIfAborted()
      const index = next++
      await work(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
}
