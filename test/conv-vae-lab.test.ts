import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { storesAgainstRealHost, until } from './store-host'
import { encodeImage, removeScratch, scratch } from './import-files'
import { importDataset } from '../src/services/import-data'
import { importedDatasetsRoot } from '../src/ml/data/imported'
import { imageShapeOf, rgbaOf } from '../src/shared/image-pixels'
import { tileImages } from '../src/shared/figures'
import { useLabStore } from '../src/renderer/src/stores/lab'
import { useVaeStore } from '../src/renderer/src/stores/vae'
import { useVaeRunsStore } from '../src/renderer/src/stores/vae-runs'
import { useSessionStore } from '../src/renderer/src/stores/session'

// The convolutional VAE in the VAE lab's store, against a real host: an imported RGB set of
// 16x16 images (three colours), settings the kind's schema refuses said before anything
// starts, a run trained from the store whose reconstructions, grid and samples are RGB images
// (painted in colour by the shared image helpers), and a session that keeps the run and its
// conv settings through save and reopen.

const SIDE = 16
const COLOURS: [number, number, number][] = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 60, 220]
]

storesAgainstRealHost({
  prepare: async (workspace) => {
    const dir = scratch('lab-conv-lab-')
    for (const [label, colour] of COLOURS.entries()) {
      const folder = join(dir, `c${label}`)
      mkdirSync(folder, { recursive: true })
      const image = await encodeImage(colour, { width: SIDE, height: SIDE, channels: 3 })
      for (let i = 0; i < 40; i++) writeFileSync(join(folder, `${i}.png`), image)
    }
    await importDataset({
      source: dir,
      datasetsRoot: importedDatasetsRoot(workspace),
      name: 'colours',
      size: SIDE,
      channels: 3
    })
  }
})
afterAll(removeScratch)

describe('a convolutional VAE in the VAE lab', () => {
  it('refuses bad settings, trains on an RGB set, shows colour images and reopens from a session', async () => {
    await useLabStore().load()
    const vae = useVaeStore()
    const vaeRuns = useVaeRunsStore()
    const session = useSessionStore()
    await vae.loadDatasets()
    expect(vae.datasets.find((d) => d.id === 'colours')).toMatchObject({
      size: SIDE,
      channels: 3
    })
    vae.model = 'conv-vae'
    vae.config = {
      ...vae.config,
      dataset: 'colours',
      trainSize: 128,
      epochs: 2,
      batchSize: 16,
      learningRate: 0.003
    }
    // The schema's refusals are said, and nothing starts until the settings are right.
    vae.conv = { filters: [0, 16], dense: 5000 }
    expect(vae.convIssues.map((p) => p.key)).toEqual(['conv.problem.filter', 'conv.problem.dense'])
    vae.conv = { filters: [4, 4, 4, 4], dense: 8 }
    expect(vae.convIssues).toEqual([])
    vae.conv = { filters: [4, 4, 4, 4, 4], dense: 8 }
    expect(vae.convIssues.map((p) => p.key)).toEqual(['conv.problem.layers'])
    await vae.start()
    expect(vae.phase).toBe('idle')
    expect(vae.runId).toBeNull()

    vae.conv = { filters: [8, 16], dense: 8 }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null && vae.grid.length > 0)
    expect(vae.result?.status).toBe('completed')
    const run = vaeRuns.runs[0]!
    expect(run).toMatchObject({ kind: 'conv-vae', conv: { filters: [8, 16], dense: 8 } })
    expect(run.label).toMatch(/^#1 convolutional · colours · 128 images · conv 8-16 · dense 8/)

    // Every image on screen is 16x16 RGB: test images, reconstructions, grid, samples.
    const rgbLength = SIDE * SIDE * 3
    expect(vae.fixed[0]).toHaveLength(rgbLength)
    expect(vae.curve.at(-1)!.reconstructions[0]).toHaveLength(rgbLength)
    expect(vae.grid.every((g) => g.pattern.length === rgbLength)).toBe(true)
    await until(() => vae.samples.length === 10)
    expect(vae.samples[0]!.pattern).toHaveLength(rgbLength)
    expect(vae.imageShape).toEqual({ side: SIDE, channels: 3 })
    // Painted in its colours (not as grey, not inverted), on a canvas and in a tiled figure.
    const test = vae.fixed[0]!
    const colour = [0, 1, 2].map((c) => Math.round(test[c]! * 255))
    expect(COLOURS).toContainEqual(colour)
    expect(imageShapeOf(rgbLength)).toEqual({ side: SIDE, channels: 3 })
    expect([...rgbaOf(test).subarray(0, 4)]).toEqual([...colour, 255])
    const raster = tileImages(vae.fixed.slice(0, 2), 2, { gap: 1 })
    expect(raster).toMatchObject({ width: 2 * SIDE + 3, height: SIDE + 2, channels: 3 })
    const at = (1 * raster.width + 1) * 3
    expect([...raster.data.subarray(at, at + 3)]).toEqual(colour)

    // Saved and reopened: the run, its model and settings, its images.
    expect(await session.saveTo({ name: 'colours' })).toBe(true)
    session.reset()
    expect(vaeRuns.runs).toHaveLength(0)
    vae.model = 'vae'
    expect(await session.open({ name: 'colours' })).toBe(true)
    expect(vaeRuns.runs[0]).toMatchObject({
      kind: 'conv-vae',
      conv: { filters: [8, 16], dense: 8 },
      label: run.label
    })
    expect(vae.model).toBe('conv-vae')
    expect(vae.conv).toEqual({ filters: [8, 16], dense: 8 })
    await until(() => vae.grid.length === 225 && vae.testSet !== null)
    expect(vae.grid[0]!.pattern).toHaveLength(rgbLength)
    expect(vae.curve.at(-1)!.reconstructions[0]).toHaveLength(rgbLength)
  })
})
