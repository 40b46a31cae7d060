import { readFileSync } from 'node:fs'
import { PNG } from 'pngjs'
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
/** Files read (synchronously: a small file costs a fifth of an asynchronous read) per turn. */
const READ_GROUP = 256
/** Pipelines in flight at once, on libuv's thread pool (4 threads by default). */
const PIPELINES = 4

/** Chunks before a PNG's image data that change nothing in its pixels as sharp reads them. */
const PLAIN_CHUNKS = new Set(['pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME'])

/**
 * What a PNG's header says (its IHDR, and the chunks before the image data), read from the bytes
 * without decoding: enough to batch it, or to decode it with pngjs. Null for anything else, or a
 * PNG to ask sharp about (palette, 16-bit, transparency from tRNS), so sharp's reading decides.
 * `plain`: no colour information (gamma, ICC profile, ...) that sharp might apply.
 */
export function pngBands(
  data: Uint8Array
): { width: number; height: number; bands: number; plain: boolean } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (data.length < 33 || signature.some((byte, i) => data[i] !== byte)) return null
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  if (view.getUint32(12) !== 0x49484452) return null // IHDR
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const depth = data[24]!
  const bands = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[25]!]
  if (depth !== 8 || bands === undefined) return null
  let plain = true
  for (let at = 33; at + 8 <= data.length;) {
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8))
    if (type === 'tRNS') return null
    if (type === 'IDAT') return { width, height, bands, plain }
    if (!PLAIN_CHUNKS.has(type)) plain = false
    at += 12 + view.getUint32(at)
  }
  return null
}

/**
 * An 8-bit grey or RGB PNG already at the target size, with nothing sharp would change in its
 * pixels, decoded by pngjs (zlib in Node): a tenth of the CPU time of a libvips pipeline for a
 * small image. Null when the image is not such a PNG (sharp then decodes it), or when it is grey
 * and the target RGB (the grey level repeated, as sharp does) -- but not RGB to grey, whose
 * luminance is sharp's to compute.
 */
function decodePlainPng(data: Buffer, target: Target): Uint8Array | null {
  const png = pngBands(data)
  if (!png || !png.plain || png.width !== target.size || png.height !== target.size) return null
  if (png.bands !== 1 && png.bands !== 3) return null
  if (png.bands === 3 && target.channels === 1) return null
  let rgba: Buffer
  try {
    rgba = PNG.sync.read(data).data
  } catch {
    return null // sharp says what is wrong with it
  }
  const count = target.size * target.size
  const pixels = new Uint8Array(count * target.channels)
  if (target.channels === 1) for (let i = 0; i < count; i++) pixels[i] = rgba[4 * i]!
  else
    for (let i = 0; i < count; i++) {
      pixels[3 * i] = rgba[4 * i]!
      pixels[3 * i + 1] = rgba[4 * i + 1]!
      pixels[3 * i + 2] = rgba[4 * i + 2]!
    }
  return pixels
}

/** The bands of an image at the target size that can join a batch, else null. */
async function batchBands(data: Buffer, target: Target): Promise<number | null> {
  const png = pngBands(data)
  if (png) return png.width === target.size && png.height === target.size ? png.bands : null
  const meta = await sharp(data).metadata()
  const batchable =
    meta.width === target.size &&
    meta.height === target.size &&
    (meta.pages ?? 1) === 1 &&
    meta.depth === 'uchar'
  return batchable ? (meta.channels ?? null) : null
}

/**
 * Decodes image files, handing each result (or why it failed) to `done`. Most data sets are
 * images already at the target size: those are decoded BATCH at a time, joined side by side
 * into one image (sharp's join), which costs a third of the CPU time of one pipeline each; the
 * rest, and every image of a batch that fails, go through decodeImage one at a time. Plain grey
 * or RGB PNGs at the target size skip libvips (decodePlainPng). Files are read READ_GROUP at a
 * time, synchronously, and a PNG's header is read from its bytes.
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
  // At most PIPELINES pipelines in flight; the first failure of the work itself is thrown.
  const running = new Set<Promise<void>>()
  const start = async (work: Promise<void>): Promise<void> => {
    const tracked = work.finally(() => running.delete(tracked))
    running.add(tracked)
    if (running.size >= PIPELINES) await Promise.race(running)
  }
  try {
    for (let first = 0; first < paths.length; first += READ_GROUP) {
      signal?.throwIfAborted()
      const group = paths.slice(first, first + READ_GROUP)
      const read = group.map((path): Buffer | Error => {
        try {
          return readFileSync(path)
        } catch (error) {
          return error as Error
        }
      })
      for (const [k, data] of read.entries()) {
        const index = first + k
        if (data instanceof Error) {
          done(index, data)
          continue
        }
        const plain = decodePlainPng(data, target)
        if (plain) {
          done(index, plain)
          continue
        }
        let bands: number | null
        try {
          bands = await batchBands(data, target)
        } catch (error) {
          done(index, error as Error)
          continue
        }
        if (bands === null) {
          await start(one({ index, data }))
          continue
        }
        const batch = batches.get(bands) ?? []
        batch.push({ index, data })
        batches.set(bands, batch.length >= BATCH ? [] : batch)
        if (batch.length >= BATCH) await start(flush(batch))
      }
    }
    signal?.throwIfAborted()
    for (const batch of batches.values()) if (batch.length > 0) await start(flush(batch))
  } finally {
    await Promise.all(running)
  }
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
