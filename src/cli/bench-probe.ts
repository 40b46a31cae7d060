import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startBrowserHost } from '../host/browser-host'
import { connectWebSocketClient, type SocketLike } from '../shared/lab-client'
import { datasetsDir, rendererDir, trainingWorkerPath } from '../services/paths'
import { defaultLetterConfig } from '../shared/schemas'
import { median, option } from './args'
import type { Print } from './bench'

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

/**
 * Latency of one probe update as the UI sees it: decodeLatent for one point over the browser
 * host's real WebSocket to the worker and back (target: well under 50 ms). Reference in the same
 * run: getInfo, the transport's round trip with no model work.
 */
export async function benchProbe(print: Print, args: readonly string[]): Promise<void> {
  const count = Number(option(args, '--count') ?? 300)
  const workspace = await mkdtemp(join(tmpdir(), 'lab-bench-'))
  const host = await startBrowserHost({
    port: 0,
    rendererDir: rendererDir(),
    datasetsDir: datasetsDir(),
    workerPath: trainingWorkerPath(),
    workspace
  })
  const origin = host.url.replace(/\/$/, '')
  const client = await connectWebSocketClient(
    `${origin.replace(/^http/, 'ws')}/api`,
    (u) => new WebSocket(u, { origin }) as unknown as SocketLike
  )
  try {
    const done = new Promise<void>((resolve) => {
      const off = client.on('runDone', () => {
        off()
        resolve()
      })
    })
    const { runId } = await client.request('startRun', {
      ...defaultLetterConfig,
      kind: 'autoencoder'
    })
    await done
    const time = async (fn: () => Promise<unknown>): Promise<number[]> => {
      const times: number[] = []
      for (let i = 0; i < count; i++) {
        const started = performance.now()
        await fn()
        times.push(performance.now() - started)
      }
      return times
    }
    let k = 0
    const probe = await time(() =>
      client.request('decodeLatent', { runId, points: [[Math.sin(k++) * 5, Math.cos(k) * 5]] })
    )
    const floor = await time(() => client.request('getInfo', undefined))
    const grid = await time(() =>
      client.request('decodeLatent', {
        runId,
        points: Array.from({ length: 900 }, (_, i) => [
          (i % 30) / 3 - 5,
          Math.floor(i / 30) / 3 - 5
        ])
      })
    )
    print(
      {
        case: 'probe',
        summary: true,
        probeMedianMs: median(probe),
        probeP95Ms: percentile(probe, 0.95),
        roundTripMedianMs: median(floor),
        grid900MedianMs: median(grid),
        targetMs: 50
      },
      `probe update (decode 1 point over WebSocket): median ${median(probe).toFixed(2)} ms, p95 ${percentile(probe, 0.95).toFixed(2)} ms (target well under 50 ms); ` +
        `bare round trip ${median(floor).toFixed(2)} ms; a 30 x 30 decode grid ${median(grid).toFixed(1)} ms`
    )
  } finally {
    client.close()
    await host.close()
    await rm(workspace, { recursive: true, force: true })
  }
}
