import { copyFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { evaluateRun } from '../src/services/experiments'
import { createLab, type Lab } from '../src/services/lab'
import { readSession } from '../src/services/session-file'
import type { Handlers } from '../src/services/lab-service'
import type { OpenedSessionPayload, RunRecord } from '../src/shared/session'
import { GLYPH_PIXELS, IMAGE_PIXELS, type Glyph } from '../src/shared/schemas'
import { builtWorker, datasetsDir, root, scratchWorkspace } from './helpers'

// Sessions saved by the lab before the run pipeline was rewritten (issue 15): every kind of record
// the format has, made by test/fixtures/sessions/make-fixtures.ts (README there). Each must keep
// opening through the hosts' services, its networks loading into the worker, and must explore as it
// did when saved: encoding a run's glyphs gives the latent points and reconstructions the file
// holds, decoding is finite and repeatable, and a second lab given the same file answers the same.

const dir = join(root, 'test/fixtures/sessions')
const files = [
  'app-letters.aelab',
  'app-vae.aelab',
  'cli-autoencoder.aelab',
  'cli-denoising.aelab',
  'cli-vae.aelab',
  'recovered-letters.aelab',
  'recovered-vae.aelab'
]
/** Float32 results recomputed from the saved weights may differ from the saved ones in the last bits. */
const CLOSE = 1e-4

const isFiniteIn = (values: readonly number[], lo: number, hi: number): boolean =>
  values.every((v) => Number.isFinite(v) && v >= lo && v <= hi)
const maxDiff = (a: readonly number[], b: readonly number[]): number =>
  a.length !== b.length ? Infinity : Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)))

describe('fixture sessions saved by the lab before issue 15', () => {
  const workspace = scratchWorkspace()
  let byName: Lab
  let byText: Lab
  let fonts: Record<string, Glyph[]>
  const options = () => ({
    host: 'browser' as const,
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    emit: () => undefined,
    preferredBackend: 'wasm' as const
  })

  beforeAll(async () => {
    for (const file of files) copyFileSync(join(dir, file), join(workspace, file))
    byName = createLab(options())
    byText = createLab(options())
    fonts = Object.fromEntries(
      (await byName.handlers.listFonts(undefined)).map((f) => [f.name, f.glyphs])
    )
  })
  afterAll(async () => {
    await byName?.close()
    await byText?.close()
  })

  it('keeps one fixture of every kind of record', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.aelab'))).toEqual(files)
    const runs = files.flatMap((f) => parse(f).runs)
    const kinds = new Set(
      runs.map(
        (r) =>
          `${r.experiment.kind} ${r.status}${r.glyphs === null && r.experiment.kind !== 'vae' ? ' checkpoint' : ''}`
      )
    )
    expect([...kinds].sort()).toEqual([
      'autoencoder completed',
      'autoencoder solved',
      'autoencoder stopped',
      'autoencoder stopped checkpoint',
      'denoising completed',
      'vae completed',
      'vae stopped'
    ])
    const letters = parse('app-letters.aelab')
    expect(letters.characterSets.map((s) => s.name)).toEqual([
      'Font1 (font.h)',
      'Font2 (font.h)',
      'Font3 (font.h)'
    ])
    expect(letters.customGlyphs.map((g) => g.char)).toEqual(['x', 'o', '+', 'L'])
    expect(letters.runs.some((r) => 'glyphs' in r.experiment && r.experiment.glyphs)).toBe(true)
    const vaes = files.flatMap((f) => parse(f).runs).filter((r) => r.experiment.kind === 'vae')
    expect(new Set(vaes.map((r) => r.experiment.kind === 'vae' && r.experiment.dataset))).toEqual(
      new Set(['mnist', 'fashion-mnist'])
    )
  })

  for (const file of files) {
    describe(file, () => {
      const saved = parse(file)
      const name = file.replace(/\.aelab$/, '')
      let opened: OpenedSessionPayload
      let imported: OpenedSessionPayload
      beforeAll(async () => {
        opened = await byName.handlers.openSession({ target: { name } })
        imported = await byText.handlers.importSession({
          fileName: file,
          text: readFileSync(join(dir, file), 'utf8')
        })
      })

      it('opens by name and from its text, with its view, glyphs, character sets and runs', () => {
        for (const session of [opened, imported]) {
          expect(session.name).toBe(name)
          expect(session.session.view).toEqual(saved.view)
          expect(session.session.customGlyphs).toEqual(saved.customGlyphs)
          expect(session.session.characterSets).toEqual(saved.characterSets)
          expect(session.session.runs.map((r) => [r.id, r.status, r.epochs])).toEqual(
            saved.runs.map((r) => [r.id, r.status, r.epochs])
          )
        }
      })

      for (const [i, run] of saved.runs.entries()) {
        it(`explores run ${i + 1} (${run.experiment.kind}, ${run.status}) the same in both labs`, async () => {
          const a = await explore(byName.handlers, run, opened.session.runs[i]!, fonts, true)
          const b = await explore(byText.handlers, run, imported.session.runs[i]!, fonts, false)
          expect(b).toEqual(a)
        })
      }
    })
  }

  it('evaluates every run as `lab eval` does, with the wrong pixels the file recorded', async () => {
    await chooseBackend({ preferred: 'wasm' })
    for (const file of files) {
      for (const run of (await readSession(join(dir, file))).runs) {
        const { lines } = await evaluateRun(run, datasetsDir)
        const line = (label: string): string => lines.find(([l]) => l === label)?.[1] ?? ''
        if (run.experiment.kind === 'vae') {
          expect(Number(line('test loss (negative ELBO)'))).toBeGreaterThan(0)
        } else if (run.glyphs) {
          const worst = Math.max(...run.glyphs.map((g) => g.wrongPixels))
          expect(line('worst glyph, wrong pixels'), `${file} ${run.id}`).toBe(String(worst))
        }
      }
    }
  })
})

function parse(file: string): RunRecordsOf {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunRecordsOf
}
type RunRecordsOf = {
  runs: RunRecord[]
  view: unknown
  customGlyphs: Glyph[]
  characterSets: { name: string; glyphs: Glyph[] }[]
}

/** What a lab answers about one opened run: encodings of its data, decodings of latent points. */
async function explore(
  h: Handlers,
  run: RunRecord,
  summary: OpenedSessionPayload['session']['runs'][number],
  fonts: Record<string, Glyph[]>,
  /** Also encode the whole test set (slow on a loaded machine: once per run is enough). */
  withTestSet: boolean
): Promise<unknown> {
  const e = run.experiment
  if (e.kind === 'vae' || e.kind === 'conv-vae') {
    const { images } = await h.datasetImages({
      dataset: e.dataset,
      split: 'test',
      indices: [0, 1, 2, 3]
    })
    const encoded = await h.encodePatterns({
      runId: run.id,
      patterns: images.map((image) => image.map((v) => v / 255))
    })
    expect(encoded.points.map((p) => p.length)).toEqual([e.latent, e.latent, e.latent, e.latent])
    expect(isFiniteIn(encoded.points.flat(), -1e6, 1e6)).toBe(true)
    expect(encoded.reconstructions.every((r) => r.length === IMAGE_PIXELS)).toBe(true)
    const points = [new Array(e.latent).fill(0), new Array(e.latent).fill(1.5), encoded.points[0]!]
    const decoded = await h.decodeLatent({ runId: run.id, points })
    expect(decoded.patterns.map((p) => p.length)).toEqual([
      IMAGE_PIXELS,
      IMAGE_PIXELS,
      IMAGE_PIXELS
    ])
    expect(isFiniteIn(decoded.patterns.flat(), 0, 1)).toBe(true)
    expect(await h.decodeLatent({ runId: run.id, points })).toEqual(decoded)
    if (withTestSet) {
      const testSet = await h.vaeTestSet({ runId: run.id })
      expect(testSet.points).toHaveLength(10_000)
      expect(isFiniteIn(testSet.points.flat(), -1e6, 1e6)).toBe(true)
      expect(testSet.points.slice(0, 4)).toEqual(encoded.points)
    }
    return { encoded, decoded }
  }
  if (e.kind === 'cvae') throw new Error('the fixtures hold no conditional VAE run')
  const all = e.glyphs ?? fonts[e.font!]!
  const glyphs = e.subset ? e.subset.map((i) => all[i]!) : all
  // Results a checkpoint lacked are recomputed when the session opens.
  const results = summary.glyphs
  expect(results?.map((g) => g.char)).toEqual(glyphs.map((g) => g.char))
  if (run.glyphs) expect(results).toEqual(run.glyphs)
  const encoded = await h.encodePatterns({ runId: run.id, patterns: glyphs.map((g) => g.pixels) })
  expect(encoded.points.every((p) => p.length === e.latent)).toBe(true)
  expect(encoded.reconstructions.every((r) => r.length === GLYPH_PIXELS)).toBe(true)
  expect(isFiniteIn(encoded.reconstructions.flat(), 0, 1)).toBe(true)
  for (const [i, result] of results!.entries()) {
    expect(maxDiff(encoded.points[i]!, result.latent), `${run.id} ${result.char}`).toBeLessThan(
      CLOSE
    )
    expect(maxDiff(encoded.reconstructions[i]!, result.reconstruction)).toBeLessThan(CLOSE)
  }
  const points = [results![0]!.latent, new Array(e.latent).fill(0)]
  const decoded = await h.decodeLatent({ runId: run.id, points })
  expect(decoded.patterns.map((p) => p.length)).toEqual([GLYPH_PIXELS, GLYPH_PIXELS])
  expect(maxDiff(decoded.patterns[0]!, results![0]!.reconstruction)).toBeLessThan(CLOSE)
  expect(isFiniteIn(decoded.patterns.flat(), 0, 1)).toBe(true)
  expect(await h.decodeLatent({ runId: run.id, points })).toEqual(decoded)
  return { encoded, decoded }
}
