import { createPinia, setActivePinia } from 'pinia'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { provideLabClient } from '../src/renderer/src/api/client'
import type { WsLabClient } from '../src/renderer/src/api/ws-client'
import { useLabStore } from '../src/renderer/src/stores/lab'
import { useTrainingStore } from '../src/renderer/src/stores/training'
import { lossChartOption, latentScatterOption } from '../src/renderer/src/charts/options'
import { builtRenderer, builtWorker, connect, datasetsDir } from './helpers'

// The stores against a real browser host over a real WebSocket: no mocked transport.
let host: BrowserHost
let client: WsLabClient

beforeAll(async () => {
  host = await startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    preferredBackend: 'wasm'
  })
  client = await connect(`${host.url.replace(/^http/, 'ws')}api`)
  provideLabClient(client)
})
afterAll(async () => {
  client.close()
  await host.close()
})
beforeEach(() => setActivePinia(createPinia()))

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}

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
    const option = lossChartOption(points, 1000) as { series: { data: [number, number][] }[] }
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
