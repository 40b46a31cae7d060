import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { parse } from 'csv-parse'
import { splitFromName } from './idx'
import type { RawArrays, Skipped } from './types'

// CSV in the common "label,pixel0,...,pixelN" layout (Kaggle's MNIST and Fashion-MNIST files):
// one image per row, grey levels 0-255, an optional header row. N+1 = side² (grey) or 3·side²
// (RGB, interleaved). A row of another length, or with a value that is not a grey level, is
// skipped and reported with its line number.

interface Parsed {
  record: string[]
  info: { lines: number }
}

const isNumber = (field: string): boolean => field !== '' && Number.isFinite(Number(field))

/** The image shape `pixels` values make, or null. */
function shapeOf(pixels: number): { side: number; channels: 1 | 3 } | null {
  const grey = Math.round(Math.sqrt(pixels))
  if (grey > 0 && grey * grey === pixels) return { side: grey, channels: 1 }
  const rgb = Math.round(Math.sqrt(pixels / 3))
  if (rgb > 0 && 3 * rgb * rgb === pixels) return { side: rgb, channels: 3 }
  return null
}

export async function readCsv(
  path: string,
  signal?: AbortSignal
): Promise<{ arrays: RawArrays; skipped: Skipped[] }> {
  const file = basename(path)
  const skipped: Skipped[] = []
  const rows: Uint8Array[] = []
  const labels: string[] = []
  let width: number | null = null
  let shape: { side: number; channels: 1 | 3 } | null = null
  const parser = createReadStream(path).pipe(
    parse({ relax_column_count: true, skip_empty_lines: true, trim: true, info: true })
  )
  for await (const { record, info } of parser as AsyncIterable<Parsed>) {
    signal?.throwIfAborted()
    const at = `${file} row ${info.lines}`
    if (width === null) {
      width = record.length
      shape = shapeOf(width - 1)
      if (!shape)
        throw new Error(
          `${at}: ${width} columns, so ${width - 1} pixels after the label; expected a square image (side² grey or 3·side² RGB values), as in "label,pixel0,...,pixel783"`
        )
      // A header row names the columns rather than holding grey levels.
      if (!record.slice(1).every(isNumber)) continue
    }
    if (record.length !== width) {
      skipped.push({ entry: at, reason: `${record.length} values; expected ${width}` })
      continue
    }
    const label = record[0] ?? ''
    if (label === '') {
      skipped.push({ entry: at, reason: 'no label in the first column' })
      continue
    }
    const pixels = new Uint8Array(width - 1)
    let bad: string | null = null
    for (let k = 1; k < width; k++) {
      const value = Number(record[k])
      if (!(value >= 0 && value <= 255)) {
        bad = `column ${k + 1} holds "${record[k] ?? ''}"; expected a grey level 0-255`
        break
      }
      pixels[k - 1] = Math.round(value)
    }
    if (bad) {
      skipped.push({ entry: at, reason: bad })
      continue
    }
    rows.push(pixels)
    labels.push(label)
  }
  if (!shape) throw new Error(`${file} holds no rows`)
  const pixels = new Uint8Array(rows.length * (width! - 1))
  rows.forEach((row, i) => pixels.set(row, i * row.length))
  return {
    arrays: {
      file,
      count: rows.length,
      height: shape.side,
      width: shape.side,
      channels: shape.channels,
      pixels,
      labels,
      split: splitFromName(file)
    },
    skipped
  }
}
