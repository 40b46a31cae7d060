import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { createLab } from '../src/services/lab'
import { readCharacterSetFile } from '../src/services/font-import'
import { readSession } from '../src/services/session-file'
import {
  characterSetSchema,
  parseCharacterSetFile,
  parseFontHeader,
  pixelsToRows
} from '../src/shared/character-sets'
import type { EventName, EventPayload } from '../src/shared/contract'
import { experimentSchema, type Experiment } from '../src/shared/experiments'
import { sessionViewSchema, type Glyph, type GlyphGrid } from '../src/shared/schemas'
import { builtWorker, datasetsDir, glyphDone, root, scratchWorkspace } from './helpers'

// Glyph grids other than the course's 7x5 (issue 16, item 4): character sets carry their grid;
// 8x8 and 16x16 sets read from real files (a C header of byte rows, a PNG sprite sheet made
// with sharp), trained for real in the lab's worker, and their results (reconstructions, wrong
// pixels, latent codes) on that grid.

const scratch = mkdtempSync(join(tmpdir(), 'lab-grids-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Six 8x8 letters drawn in code ('#' is ink). */
const LETTERS: Record<string, string[]> = {
  A: [
    '..####..',
    '.##..##.',
    '##....##',
    '##....##',
    '########',
    '##....##',
    '##....##',
    '........'
  ],
  B: [
    '######..',
    '##...##.',
    '##...##.',
    '######..',
    '##...##.',
    '##...##.',
    '######..',
    '........'
  ],
  C: [
    '..#####.',
    '.##...##',
    '##......',
    '##......',
    '##......',
    '.##...##',
    '..#####.',
    '........'
  ],
  H: [
    '##....##',
    '##....##',
    '##....##',
    '########',
    '##....##',
    '##....##',
    '##....##',
    '........'
  ],
  L: [
    '##......',
    '##......',
    '##......',
    '##......',
    '##......',
    '##......',
    '#######.',
    '........'
  ],
  T: [
    '########',
    '...##...',
    '...##...',
    '...##...',
    '...##...',
    '...##...',
    '...##...',
    '........'
  ]
}
const drawn = (art: readonly string[]): number[] =>
  art.flatMap((row) => [...row].map((c) => (c === '#' ? 1 : 0)))
/** A glyph at twice the size: each pixel becomes 2x2 (16x16 from 8x8). */
const doubled = (art: readonly string[]): string[] =>
  art.flatMap((row) => {
    const wide = [...row].map((c) => c + c).join('')
    return [wide, wide]
  })
const set8: Glyph[] = Object.entries(LETTERS).map(([char, art]) => ({
  char,
  code: char.codePointAt(0)!,
  pixels: drawn(art)
}))
const set16: Glyph[] = Object.entries(LETTERS).map(([char, art]) => ({
  char,
  code: char.codePointAt(0)!,
  pixels: drawn(doubled(art))
}))
const G8: GlyphGrid = { rows: 8, cols: 8 }
const G16: GlyphGrid = { rows: 16, cols: 16 }

/** The glyphs as a C header of byte rows, most significant bit on the left. */
const header8 = (type = 'const uint8_t', rows = 8): string =>
  [
    `${type} font8[${set8.length}][${rows}] PROGMEM = {`,
    ...set8.map(
      (g) =>
        `  {${pixelsToRows(g.pixels, G8)
          .slice(0, rows)
          .map((r) => `0x${r.toString(16).padStart(2, '0')}`)
          .join(', ')}},  // 0x${g.code.toString(16)}, ${g.char}`
    ),
    '};'
  ].join('\n')

describe('character sets carry their grid', () => {
  it('reads a header of 8-bit rows as 8x8, and refuses a row wider than the given grid', () => {
    const [font] = parseFontHeader(header8(), 'font8.h')
    expect(font!.grid).toEqual(G8)
    expect(font!.glyphs).toEqual(set8)
    // A 16-bit type reads as 16 columns; the rows keep their value (the ink on the right half).
    const [wide] = parseFontHeader(header8('uint16_t'), 'wide.h')
    expect(wide!.grid).toEqual({ rows: 8, cols: 16 })
    expect(wide!.glyphs[0]!.pixels.slice(8, 16)).toEqual(set8[0]!.pixels.slice(0, 8))
    // Given 8x5, a byte row of 8 pixels does not fit: the message names file, line and glyph.
    expect(() => parseCharacterSetFile('font8.h', header8(), { rows: 8, cols: 5 })).toThrow(
      'font8.h line 2: font8 glyph 0: row value 60 does not fit in 5 bits (row 0 is wider than the 8x5 grid)'
    )
    expect(() => parseFontHeader(header8('int', 17), 'big.h')).toThrow(
      /big\.h line 1: font8: glyphs have 1 to 16 rows, not 17/
    )
  })

  it('keeps 7x5 for sets without a grid, and names a glyph whose pixels do not fit the grid', () => {
    const old = characterSetSchema.parse({
      name: 'old',
      glyphs: [{ char: 'x', code: 120, pixels: new Array(35).fill(0) }]
    })
    expect(old.grid).toBeUndefined()
    const bad = characterSetSchema.safeParse({
      name: 'mixed',
      grid: G8,
      glyphs: [set8[0], { ...set8[1]!, pixels: set8[1]!.pixels.slice(0, 35) }]
    })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]!.message).toBe(
      `glyph 1 ("B") has 35 pixels; its set's 8x8 grid needs 64`
    )
    // Glyph JSON with a grid; a row too wide for it is named.
    const json = (grid: GlyphGrid, rows: number[]): string =>
      JSON.stringify({ name: 'j', grid, glyphs: [{ char: 'q', rows }] })
    expect(
      parseCharacterSetFile('j.json', json(G16, new Array(16).fill(0xffff)))[0]!.glyphs[0]!.pixels
    ).toEqual(new Array(256).fill(1))
    expect(() => parseCharacterSetFile('j.json', json(G8, new Array(8).fill(0x100)))).toThrow(
      'j.json: not a glyph file: glyphs.0.rows.0: glyph 0 ("q") row 0 is wider than the grid\'s 8 columns'
    )
  })

  it('checks a run against its grid: the lab sets are 7x5, the bound is at most the pixel count', () => {
    const run = {
      kind: 'autoencoder',
      activation: 'tanh',
      hidden: [8],
      latent: 2,
      learningRate: 0.02,
      epochs: 10,
      seed: 1
    }
    const ok = experimentSchema.safeParse({ ...run, grid: G8, glyphs: set8, maxWrongPixels: 64 })
    expect(ok.success).toBe(true)
    const over = experimentSchema.safeParse({ ...run, grid: G8, glyphs: set8, maxWrongPixels: 65 })
    expect(over.error?.issues.map((i) => i.message)).toEqual([
      'at most 64, the pixels of a 8x8 glyph'
    ])
    expect(
      experimentSchema.safeParse({ ...run, glyphs: set8, maxWrongPixels: 1 }).error?.issues[0]
        ?.message
    ).toBe(`glyph 0 ("A") has 64 pixels; its set's 7x5 grid needs 35`)
    expect(
      experimentSchema.safeParse({ ...run, font: 'Font1', grid: G8, maxWrongPixels: 1 }).error
        ?.issues[0]?.message
    ).toMatch(/the lab's character sets are 7x5/)
    // 7x5 keeps its bound of 35.
    expect(experimentSchema.safeParse({ ...run, font: 'Font1', maxWrongPixels: 36 }).success).toBe(
      false
    )
  })
})

describe('PNG sprite sheets', () => {
  /** The 16x16 glyphs as a sheet of 3 cells across and 2 down: black ink on white. */
  async function sheet(file: string, extraWidth = 0): Promise<string> {
    const across = 3
    const width = across * 16 + extraWidth
    const height = 2 * 16
    const grey = Buffer.alloc(width * height, 255)
    set16.forEach((g, k) => {
      const x0 = (k % across) * 16
      const y0 = Math.floor(k / across) * 16
      g.pixels.forEach((p, i) => {
        if (p) grey[(y0 + Math.floor(i / 16)) * width + x0 + (i % 16)] = 0
      })
    })
    const path = join(scratch, file)
    await sharp(grey, { raw: { width, height, channels: 1 } })
      .png()
      .toFile(path)
    return path
  }

  it('slices a sheet into glyphs of the cell size, thresholded at 50%', async () => {
    const path = await sheet('letters16.png')
    const [set] = await readCharacterSetFile(path, { rows: 16, cols: 16, first: 0x41 })
    expect(set!.grid).toEqual(G16)
    expect(set!.name).toBe('letters16')
    expect(set!.glyphs.map((g) => g.pixels)).toEqual(set16.map((g) => g.pixels))
    expect(set!.glyphs.map((g) => g.char).join('')).toBe('ABCDEF')
    // Without a size, the cells are detected (16x16 divides the 48x32 sheet).
    const [found] = await readCharacterSetFile(path)
    expect(found!.grid).toEqual(G16)
    expect(found!.glyphs.map((g) => g.pixels)).toEqual(set16.map((g) => g.pixels))
  })

  it('names the file when the sheet is not a whole number of cells', async () => {
    const path = await sheet('ragged.png', 5)
    await expect(readCharacterSetFile(path, { rows: 16, cols: 16 })).rejects.toThrow(
      'ragged.png: the sheet is 53x32 pixels, not a whole number of 16x16 cells (53 is not a multiple of 16)'
    )
    writeFileSync(join(scratch, 'broken.png'), 'not a png')
    await expect(readCharacterSetFile(join(scratch, 'broken.png'))).rejects.toThrow(
      /^broken\.png: not a readable PNG image/
    )
  })

  it('lab import-font writes glyph JSON that reads back as the same set', async () => {
    const path = await sheet('cli16.png')
    const out = join(scratch, 'cli16.json')
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(root, 'bin/lab.mjs'),
        'import-font',
        path,
        '--rows',
        '16',
        '--cols',
        '16',
        '--first',
        '0x41',
        '--out',
        out
      ],
      { cwd: scratch, timeout: 60_000 }
    )
    expect(stdout).toContain('cli16: 6 glyphs of 16x16')
    const [back] = parseCharacterSetFile('cli16.json', readFileSync(out, 'utf8'))
    expect(back!.name).toBe('cli16')
    expect(back!.grid).toEqual(G16)
    expect(back!.glyphs.map((g) => g.pixels)).toEqual(set16.map((g) => g.pixels))
    expect(back!.glyphs.map((g) => g.char).join('')).toBe('ABCDEF')
  })
})

describe('training on other grids', () => {
  const workspace = scratchWorkspace()
  const done = new Map<string, (d: EventPayload<'runDone'>) => void>()
  const lab = createLab({
    host: 'browser',
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm',
    threads: 1,
    emit: <K extends EventName>(name: K, payload: EventPayload<K>) => {
      if (name === 'runDone') {
        const d = payload as EventPayload<'runDone'>
        done.get(d.runId)?.(d)
      }
    }
  })
  afterAll(() => lab.close())

  async function train(experiment: Experiment) {
    const { runId } = await lab.handlers.startRun(experiment)
    const result = await new Promise<EventPayload<'runDone'>>((resolve) => done.set(runId, resolve))
    return { runId, result: glyphDone(result) }
  }
  const wrong = (a: readonly number[], b: readonly number[]): number =>
    a.filter((v, i) => (v >= 0.5 ? 1 : 0) !== b[i]).length

  it('an 8x8 set trains until every glyph is within the bound, and its results are 8x8', async () => {
    const { runId, result } = await train(
      experimentSchema.parse({
        kind: 'autoencoder',
        grid: G8,
        glyphs: set8,
        fontName: 'drawn 8x8',
        hidden: [32],
        activation: 'tanh',
        latent: 2,
        learningRate: 0.02,
        epochs: 3000,
        maxWrongPixels: 1,
        seed: 1
      })
    )
    expect(result.status).toBe('solved')
    expect(result.glyphs.map((g) => g.char)).toEqual(Object.keys(LETTERS))
    for (const [i, g] of result.glyphs.entries()) {
      expect(g.reconstruction).toHaveLength(64)
      expect(g.latent).toHaveLength(2)
      expect(g.wrongPixels).toBe(wrong(g.reconstruction, set8[i]!.pixels))
      expect(g.wrongPixels).toBeLessThanOrEqual(1)
    }
    // Exploring: encoding the glyphs gives their latent codes; the decoder draws 64 pixels.
    const encoded = await lab.handlers.encodePatterns({
      runId,
      patterns: set8.map((g) => g.pixels)
    })
    encoded.points.forEach((p, i) =>
      p.forEach((v, d) => expect(v).toBeCloseTo(result.glyphs[i]!.latent[d]!, 4))
    )
    const decoded = await lab.handlers.decodeLatent({ runId, points: [[0, 0]] })
    expect(decoded.patterns[0]).toHaveLength(64)
    // Saved with its character set, the grid comes back.
    await lab.handlers.saveSession({
      target: { name: 'grids' },
      runIds: [runId],
      view: sessionViewSchema.parse({}),
      customGlyphs: [],
      characterSets: [{ name: 'drawn 8x8', grid: G8, glyphs: set8 }]
    })
    const session = await readSession(join(workspace, 'grids.aelab'))
    expect(session.characterSets[0]?.grid).toEqual(G8)
    expect(session.runs[0]!.experiment).toMatchObject({ grid: G8 })
  })

  it('a 16x16 set trains as a denoising autoencoder, with figures on 256 pixels', async () => {
    const { result } = await train(
      experimentSchema.parse({
        kind: 'denoising',
        grid: G16,
        glyphs: set16,
        hidden: [32],
        activation: 'tanh',
        latent: 2,
        learningRate: 0.02,
        epochs: 150,
        maxWrongPixels: null,
        noise: { kind: 'bitflip', level: 0.05, copies: 2 },
        seed: 1
      })
    )
    expect(result.status).toBe('completed')
    for (const [i, g] of result.glyphs.entries()) {
      expect(g.reconstruction).toHaveLength(256)
      expect(g.wrongPixels).toBe(wrong(g.reconstruction, set16[i]!.pixels))
    }
    const noise = result.denoising!.trainNoise
    expect(noise.wrongBefore).toHaveLength(6)
    // About 5% of 256 pixels flipped before; the network removes most of them.
    expect(noise.meanWrongBefore).toBeGreaterThan(5)
    expect(noise.meanWrongAfter).toBeLessThan(noise.meanWrongBefore)
  })
})
