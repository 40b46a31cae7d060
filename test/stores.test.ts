import { describe, expect, it } from 'vitest'
import { storesAgainstRealHost, until } from './store-host'
import { useLabStore } from '../src/renderer/src/stores/lab'
import { useTrainingStore } from '../src/renderer/src/stores/training'
import {
  lossChartOption,
  latentScatterOption,
  wrongPixelsOption
} from '../src/renderer/src/charts/options'
import { useRunsStore } from '../src/renderer/src/stores/runs'
import { useExplorerStore } from '../src/renderer/src/stores/explorer'
import {
  commit,
  emptyDrawing,
  invert,
  redo,
  setPixel,
  shift,
  undo
} from '../src/renderer/src/lib/pixel-history'
import { toCsv } from '../src/renderer/src/lib/download'
import { gridPoints, interpolationPath, nearestPattern } from '../src/shared/latent'
import { denoisingStats, sweepLevels } from '../src/shared/denoising'
import { useNoiseStore } from '../src/renderer/src/stores/noise'
import { useVaeStore } from '../src/renderer/src/stores/vae'

// The stores against a real browser host over a real WebSocket: no mocked transport.
const lab = storesAgainstRealHost()

describe('lab store', () => {
  it('loads the fonts and the backend from the host', async () => {
    const lab = useLabStore()
    await lab.load()
    expect(lab.error).toBeNull()
    expect(lab.fontNames).toEqual(['Font1', 'Font2', 'Font3'])
    expect(lab.info?.backend).toBe('wasm')
    expect(lab.fontByName('Font3')?.glyphs).toHaveLength(32)
  })
})

describe('training store', () => {
  it('runs a training: phases, the full loss curve, and the result', async () => {
    const training = useTrainingStore()
    training.config = { ...training.config, font: 'Font1', epochs: 120, maxWrongPixels: null }
    const started = training.start()
    expect(training.phase).toBe('starting')
    await started
    expect(['running', 'finished']).toContain(training.phase)
    await until(() => training.phase === 'finished')
    expect(training.result?.status).toBe('completed')
    expect(training.lossPoints.map(([epoch]) => epoch)).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1)
    )
    expect(training.runConfig?.font).toBe('Font1')
    expect(training.busy).toBe(false)
    training.dispose()
  })

  it("shows the host's message when the config is invalid, and stays idle", async () => {
    const training = useTrainingStore()
    training.config = { ...training.config, learningRate: -1 }
    await training.start()
    expect(training.phase).toBe('idle')
    expect(training.error).toMatch(/learningRate/)
    training.dispose()
  })

  it('stops a run', async () => {
    const training = useTrainingStore()
    training.config = { ...training.config, epochs: 1_000_000, maxWrongPixels: null }
    await training.start()
    await until(() => (training.progress?.epoch ?? 0) > 10)
    await training.stop()
    await until(() => training.phase === 'finished')
    expect(training.result?.status).toBe('stopped')
    training.dispose()
  })
})

describe('chart options', () => {
  it('thin long loss curves but keep the last point', () => {
    const points = Array.from({ length: 10_001 }, (_, i): [number, number] => [i, 1 / (i + 1)])
    const option = lossChartOption([{ name: 'run', color: '#000', points }], 1000) as {
      series: { data: [number, number][] }[]
    }
    const data = option.series[0]!.data
    expect(data.length).toBeLessThanOrEqual(1001)
    expect(data.at(-1)).toEqual([10_000, 1 / 10_001])
  })

  it('place each glyph at its latent coordinates with its character as label', () => {
    const option = latentScatterOption(
      [{ char: 'A', latent: [0.5, -1, 3], reconstruction: new Array(35).fill(0), wrongPixels: 0 }],
      [0, 2]
    ) as {
      series: { data: { value: number[]; name: string }[] }[]
    }
    expect(option.series[0]!.data).toEqual([{ value: [0.5, 3], name: 'A' }])
  })
})

describe('runs and explorer stores (letters lab)', () => {
  it('keeps finished runs, explores the selected one: probe, drawing, grid, interpolation', async () => {
    const lab = useLabStore()
    await lab.load()
    const training = useTrainingStore()
    const runs = useRunsStore()
    const explorer = useExplorerStore()
    training.config = { ...training.config, font: 'Font2' }
    await training.start()
    await until(() => training.phase === 'finished')
    expect(runs.runs).toHaveLength(1)
    expect(runs.selected?.runId).toBe(training.runId)
    expect(runs.selected?.label).toMatch(/^#1 Font2 · 64-32 · tanh · adam 0.02$/)
    expect(runs.comparedRuns).toHaveLength(1)

    // The grid and the strip are decoded by the trained network on the host.
    await until(() => explorer.grid.length === 144)
    await until(() => explorer.strip.length === 8)
    // Interpolating from a glyph starts at its own reconstruction.
    const a = runs.selected!.result.glyphs[1]!
    expect(explorer.strip[0]!.pattern.map((v) => v.toFixed(4))).toEqual(
      a.reconstruction.map((v) => v.toFixed(4))
    )

    await explorer.probeAt(a.latent[0]!, a.latent[1]!)
    expect(explorer.probe?.pattern.map((v) => (v >= 0.5 ? 1 : 0))).toEqual(
      a.reconstruction.map((v) => (v >= 0.5 ? 1 : 0))
    )

    explorer.draw(lab.fontByName('Font2')!.glyphs[1]!.pixels)
    await until(() => explorer.drawn?.nearest?.char === 'A')
    expect(explorer.drawn!.nearest).toEqual({ char: 'A', distance: 0 })
    expect(explorer.drawn!.point.map((v) => v.toFixed(4))).toEqual(
      a.latent.map((v) => v.toFixed(4))
    )

    explorer.gridSize = 5
    await until(() => explorer.grid.length === 25)
    runs.remove(runs.selected!.runId)
    expect(runs.selected).toBeNull()
    training.dispose()
  })

  it('reports a run the host does not know', async () => {
    await expect(
      lab.client().request('decodeLatent', { runId: 'run-unknown', points: [[0, 0]] })
    ).rejects.toThrow(/has no trained model/)
  })
})

describe('pixel editor history', () => {
  it('undoes and redoes, and a new change clears the redo stack', () => {
    let d = emptyDrawing()
    d = commit(d, setPixel(d.pixels, 0, 1))
    d = commit(d, setPixel(d.pixels, 1, 1))
    expect(d.pixels.slice(0, 3)).toEqual([1, 1, 0])
    d = undo(d)
    expect(d.pixels.slice(0, 3)).toEqual([1, 0, 0])
    d = redo(d)
    expect(d.pixels.slice(0, 3)).toEqual([1, 1, 0])
    d = undo(undo(d))
    expect(d.pixels.every((p) => p === 0)).toBe(true)
    expect(undo(d)).toBe(d)
    d = commit(redo(d), setPixel(d.pixels, 34, 1))
    expect(d.future).toHaveLength(0)
    expect(commit(d, d.pixels)).toBe(d)
  })

  it('shifts (dropping what leaves the grid) and inverts', () => {
    const corner = setPixel(new Array(35).fill(0), 0, 1)
    expect(shift(corner, 0, 1).indexOf(1)).toBe(1)
    expect(shift(corner, 1, 0).indexOf(1)).toBe(5)
    expect(shift(corner, -1, 0).every((p) => p === 0)).toBe(true)
    expect(invert(corner).filter((p) => p === 1)).toHaveLength(34)
    // On another grid (16x16), a row is 16 pixels, and an empty drawing has 256.
    const grid = { rows: 16, cols: 16 }
    expect(emptyDrawing(grid).pixels).toHaveLength(256)
    const big = setPixel(emptyDrawing(grid).pixels, 15, 1)
    expect(shift(big, 1, 0, grid).indexOf(1)).toBe(31)
    expect(shift(big, 0, 1, grid).every((p) => p === 0)).toBe(true)
  })
})

describe('latent helpers and exports', () => {
  it('build grids row by row from the top, paths with both ends, and find the nearest pattern', () => {
    const grid = gridPoints(3, {
      n: 2,
      range: [
        [0, 1],
        [10, 20]
      ],
      dims: [0, 2],
      fixed: [5, 6, 7]
    })
    expect(grid).toEqual([
      [0, 6, 20],
      [1, 6, 20],
      [0, 6, 10],
      [1, 6, 10]
    ])
    expect(() =>
      gridPoints(2, {
        n: 2,
        range: [
          [0, 1],
          [0, 1]
        ],
        dims: [0, 0]
      })
    ).toThrow(/two different latent dimensions/)
    expect(interpolationPath([0, 0], [1, 2], 3)).toEqual([
      [0, 0],
      [0.5, 1],
      [1, 2]
    ])
    expect(
      nearestPattern(
        [1, 0, 1],
        [
          [0, 0, 0],
          [1, 0.4, 0.9],
          [1, 1, 1]
        ]
      )
    ).toEqual({ index: 1, distance: 0 })
  })

  it('write CSV with quoting', () => {
    expect(
      toCsv(
        ['char', 'n'],
        [
          ['"', 1],
          [',', 2],
          ['a', 3]
        ]
      )
    ).toBe('char,n\r\n"""",1\r\n",",2\r\na,3\r\n')
  })

  it('colour bars that miss the criterion', () => {
    const glyph = (wrongPixels: number) => ({
      char: 'x',
      latent: [0, 0],
      reconstruction: new Array(35).fill(0),
      wrongPixels
    })
    const option = wrongPixelsOption([glyph(0), glyph(2)], 1) as {
      series: { data: { itemStyle: { color: string } }[] }[]
    }
    expect(option.series[0]!.data.map((d) => d.itemStyle.color)).toEqual(['#2e9d5b', '#d9534f'])
  })
})

describe('denoising', () => {
  it('measures wrong pixels before and after denoising, and lists sweep levels', () => {
    const clean = [
      [1, 0, 1],
      [0, 0, 0]
    ]
    const noisy = [
      [0, 1, 1],
      [0, 1, 0]
    ]
    const denoised = [
      [1, 0, 1],
      [0, 0.6, 0]
    ]
    expect(denoisingStats(clean, noisy, denoised)).toEqual({
      meanBefore: 1.5,
      meanAfter: 0.5,
      worstAfter: 1,
      exactShare: 0.5
    })
    expect(() => denoisingStats(clean, noisy.slice(1), denoised)).toThrow(/as many/)
    expect(sweepLevels()).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
  })

  it('trains with noise, shows triplets on training and fresh noise, and sweeps noise levels', async () => {
    const lab = useLabStore()
    await lab.load()
    const training = useTrainingStore()
    const runs = useRunsStore()
    const noise = useNoiseStore()
    const font2 = lab.fontByName('Font2')!.glyphs
    // The preview is deterministic for the seed and changes pixels at the chosen level.
    noise.settings = { kind: 'bitflip', level: 0.2, copies: 5, fresh: false, seed: 3 }
    expect(noise.preview(font2[1]!)).toEqual(noise.preview(font2[1]!))
    const flipped =
      noise
        .preview(font2[1]!, 50)
        .flat()
        .filter((v, i) => v !== font2[1]!.pixels[i % 35]).length /
      (50 * 35)
    expect(flipped).toBeGreaterThan(0.12)
    expect(flipped).toBeLessThan(0.28)

    training.config = {
      ...training.config,
      latent: 8,
      epochs: 300,
      maxWrongPixels: null,
      noise: { ...noise.settings }
    }
    await training.start()
    await until(() => training.phase === 'finished')
    const run = runs.selected!
    expect(run.config.noise?.copies).toBe(5)
    expect(run.result.denoising?.trainNoise.copies).toBe(5)

    await noise.computeTriplets(run, font2, 'train')
    expect(noise.triplets?.items).toHaveLength(32)
    const trainStats = noise.triplets!.stats
    await noise.computeTriplets(run, font2, 'fresh')
    expect(noise.triplets!.stream).toBe('fresh')
    expect(noise.triplets!.stats.meanBefore).toBeGreaterThan(3)
    // Denoising helps on both, and more on the noise it was trained on.
    expect(noise.triplets!.stats.meanAfter).toBeLessThan(noise.triplets!.stats.meanBefore)
    expect(trainStats.meanAfter).toBeLessThanOrEqual(noise.triplets!.stats.meanAfter)

    await noise.sweep(run, font2, [0, 0.1, 0.3])
    const points = noise.sweeps[run.runId]!
    expect(points.map((p) => p.level)).toEqual([0, 0.1, 0.3])
    expect(points[0]!.meanBefore).toBe(0)
    expect(points[2]!.meanBefore).toBeGreaterThan(points[1]!.meanBefore)
    expect(points[2]!.meanAfter).toBeGreaterThan(points[0]!.meanAfter)
    training.dispose()
  })
})

describe('VAE store', () => {
  it('trains on a small MNIST subset, then encodes the test set and decodes points, paths, samples and grids', async () => {
    const vae = useVaeStore()
    vae.config = {
      ...vae.config,
      dataset: 'mnist',
      trainSize: 512,
      hidden: [32],
      epochs: 2,
      batchSize: 64
    }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null)
    expect(vae.result?.status).toBe('completed')
    expect(vae.curve.map((c) => c.epoch)).toEqual([1, 2])
    // Reports from within an epoch arrive too (always one at the first batch): 512 / 64 = 8.
    expect(vae.batch?.batches).toBe(8)
    expect(vae.batch!.batch).toBeGreaterThanOrEqual(1)
    expect(vae.curve[1]!.reconstructions).toHaveLength(8)
    expect(vae.fixed).toHaveLength(8)
    expect(vae.testSet!.points).toHaveLength(10000)
    expect(new Set(vae.testSet!.labels).size).toBe(10)
    expect(vae.classNames[7]).toBe('7')
    await until(() => vae.grid.length === 225 && vae.samples.length === 10)

    await vae.probeAt(0.5, -0.5)
    expect(vae.probe?.point).toEqual([0.5, -0.5])
    expect(vae.probe?.pattern).toHaveLength(784)

    vae.addSample(0)
    vae.addSample(1)
    vae.addWaypoint([0, 0])
    await until(() => vae.path.length === 11)
    expect(vae.path[0]!.point).toEqual(vae.testSet!.points[0])
    vae.clearPath()
    expect(vae.path).toHaveLength(0)

    await vae.encodePad(new Array(784).fill(0).map((_, i) => (i % 28 === 14 ? 1 : 0)))
    expect(vae.pad?.point).toHaveLength(2)
    expect(vae.pad?.image).toHaveLength(784)
  })

  it('reports a data set that is not prepared', async () => {
    await expect(
      lab.client().request('datasetImages', { dataset: 'mnist', split: 'test', indices: [10000] })
    ).rejects.toThrow(/has no image 10000/)
    await expect(lab.client().request('vaeTestSet', { runId: 'run-nothing' })).rejects.toThrow(
      /no trained VAE/
    )
  })
})
