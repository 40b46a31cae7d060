import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { dump } from 'npyjs'
import sharp from 'sharp'
import { writeIdx } from '../src/ml/data/idx'

// Real files for the import tests, written into a fresh temporary folder: images encoded by
// sharp, IDX by the lab's own writer, .npy by npyjs and .npz zipped by fflate. Every image of
// class k is filled with the grey level greyOf(k), so a test can check that each imported image
// still carries its own label.

const made: string[] = []

/** A fresh temporary folder, removed by removeScratch (each test file calls it in afterAll). */
export function scratch(prefix = 'lab-import-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function removeScratch(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export const greyOf = (label: number): number => 20 + 50 * label

export type Encoding = 'png' | 'jpeg' | 'webp' | 'gif'

/** An encoded image of one grey level (or colour), width x height, 1, 3 or 4 channels. */
export async function encodeImage(
  value: number | [number, number, number],
  options: { width?: number; height?: number; channels?: 1 | 3 | 4; as?: Encoding } = {}
): Promise<Buffer> {
  const { width = 28, height = 28, channels = 1, as = 'png' } = options
  const pixel = typeof value === 'number' ? [value, value, value, 255] : [...value, 255]
  const raw = Buffer.alloc(width * height * channels)
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < channels; c++)
      raw[i * channels + c] = channels === 1 ? pixel[0]! : pixel[c]!
  const image = sharp(raw, { raw: { width, height, channels } })
  if (as === 'jpeg') return image.jpeg({ quality: 100 }).toBuffer()
  if (as === 'webp') return image.webp({ lossless: true }).toBuffer()
  if (as === 'gif') return image.gif().toBuffer()
  return image.png().toBuffer()
}

/** A class folder per entry of `counts` (class k named names[k]) holding grey images. */
export async function writeImageFolder(
  dir: string,
  counts: number[],
  options: { names?: string[]; as?: Encoding[]; width?: number; height?: number } = {}
): Promise<void> {
  const formats = options.as ?? ['png']
  for (const [label, count] of counts.entries()) {
    const folder = join(dir, options.names?.[label] ?? `class${label}`)
    mkdirSync(folder, { recursive: true })
    const image = new Map<Encoding, Buffer>()
    for (let i = 0; i < count; i++) {
      const as = formats[i % formats.length]!
      if (!image.has(as))
        image.set(
          as,
          await encodeImage(greyOf(label), { as, width: options.width, height: options.height })
        )
      writeFileSync(join(folder, `${i}.${as === 'jpeg' ? 'jpg' : as}`), image.get(as)!)
    }
  }
}

/** N images of `side` x `side` (x channels), image i of class labels[i] at greyOf(label). */
export function greyImages(labels: number[], side: number, channels = 1): Uint8Array {
  const pixels = side * side * channels
  const images = new Uint8Array(labels.length * pixels)
  labels.forEach((label, i) => images.fill(greyOf(label), i * pixels, (i + 1) * pixels))
  return images
}

export function writeIdxPair(
  dir: string,
  prefix: string,
  labels: number[],
  side = 28,
  options: { labelCount?: number } = {}
): void {
  writeFileSync(
    join(dir, `${prefix}-images-idx3-ubyte`),
    writeIdx([labels.length, side, side], greyImages(labels, side))
  )
  const written = labels.slice(0, options.labelCount ?? labels.length)
  writeFileSync(
    join(dir, `${prefix}-labels-idx1-ubyte`),
    writeIdx([written.length], Uint8Array.from(written))
  )
}

/** A .npy file's bytes. */
export const npy = (data: Parameters<typeof dump>[0], shape: number[]): Uint8Array =>
  new Uint8Array(dump(data, shape))

export function writeNpz(path: string, arrays: Record<string, Uint8Array>): void {
  writeFileSync(
    path,
    zipSync(Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${k}.npy`, v])))
  )
}

/** The labels 0..classes-1, `perClass` of each, interleaved. */
export const labelsOf = (classes: number, perClass: number): number[] =>
  Array.from({ length: classes * perClass }, (_, i) => i % classes)
