#!/usr/bin/env node
// Draws the app icon, build/icon.png (1024 x 1024), from the same 5 x 7 letter as the page's
// favicon (src/renderer/public/favicon.svg): white pixels on the lab's dark blue, on a rounded
// square. electron-builder derives the Windows .ico, the macOS .icns and the Linux sizes from it.
// Pixel art needs no rasteriser: the PNG is written directly (zlib). Rerun after changing the glyph.
import { writeFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { Buffer } from 'node:buffer'
import { crc32, deflateSync } from 'node:zlib'

const SIZE = 1024
const GLYPH = ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#']
const BACKGROUND = [0x1f, 0x2a, 0x44, 255]
const INK = [255, 255, 255, 255]
const MARGIN = 100 // transparent border, as the platforms' icon grids expect
const RADIUS = 180
const CELL = 96 // glyph pixel: 5 x 96 = 480 wide, 7 x 96 = 672 tall

function pixel(x, y) {
  const inner = SIZE - 2 * MARGIN
  const u = x - MARGIN
  const v = y - MARGIN
  if (u < 0 || v < 0 || u >= inner || v >= inner) return [0, 0, 0, 0]
  // Rounded corners: outside the quarter circles is transparent.
  const cx = Math.min(Math.max(u, RADIUS), inner - RADIUS)
  const cy = Math.min(Math.max(v, RADIUS), inner - RADIUS)
  if ((u - cx) ** 2 + (v - cy) ** 2 > RADIUS ** 2) return [0, 0, 0, 0]
  const gx = Math.floor((u - (inner - 5 * CELL) / 2) / CELL)
  const gy = Math.floor((v - (inner - 7 * CELL) / 2) / CELL)
  return GLYPH[gy]?.[gx] === '#' ? INK : BACKGROUND
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const rows = Buffer.alloc(SIZE * (1 + SIZE * 4))
for (let y = 0; y < SIZE; y++) {
  const row = y * (1 + SIZE * 4) // filter byte 0 (none), then RGBA
  for (let x = 0; x < SIZE; x++) rows.set(pixel(x, y), row + 1 + x * 4)
}
const header = Buffer.alloc(13)
header.writeUInt32BE(SIZE, 0)
header.writeUInt32BE(SIZE, 4)
header.set([8, 6, 0, 0, 0], 8) // 8 bits per channel, RGBA, deflate, no filter, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
const out = resolve(import.meta.dirname, '../build/icon.png')
mkdirSync(resolve(out, '..'), { recursive: true })
writeFileSync(out, png)
process.stdout.write(`wrote ${out} (${png.length} bytes)\n`)
