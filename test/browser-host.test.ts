import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import type { WsLabClient } from '../src/shared/lab-client'
import { LabRequestError } from '../src/renderer/src/api/client'
import { defaultLetterConfig } from '../src/shared/schemas'
import {
  builtRenderer,
  builtWorker,
  connect,
  datasetsDir,
  glyphDone,
  glyphProgress,
  letters,
  nextEvent,
  recordEvents,
  scratchWorkspace
} from './helpers'

let host: BrowserHost
let client: WsLabClient
let apiUrl: string

beforeAll(async () => {
  host = await startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    workspace: scratchWorkspace(),
    preferredBackend: 'wasm',
    threads: 2
  })
  apiUrl = `${host.url.replace(/^http/, 'ws')}api`
  client = await connect(apiUrl)
})
afterAll(async () => {
  client.close()
  await host.close()
})

function get(
  path: string
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw path, not normalised by URL parsing, to test traversal attempts as sent.
    const url = new URL(host.url)
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('browser host', () => {
  it('listens on 127.0.0.1 by default', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('serves the built renderer with a strict Content-Security-Policy', async () => {
    const page = await get('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div id="app">')
    expect(String(page.headers['content-security-policy'])).toMatch(
      /default-src 'self'; script-src 'self'/
    )
  })

  it('refuses paths outside the renderer folder', async () => {
    for (const path of [
      '/../package.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/../../main/index.js'
    ]) {
      expect((await get(path)).status).toBe(404)
    }
  })

  it('answers the typed API over a real WebSocket', async () => {
    const info = await client.request('getInfo', undefined)
    expect(info.host).toBe('browser')
    expect(info.backend).toBe('wasm')
    // Glyph networks train on one thread; the VAE's worker on the threads asked for.
    expect(info.backendNote).toMatch(
      /^wasm \(1 thread\).*; training on the lab's WebAssembly kernels \(the VAE on up to 2 threads, as many as a timed start shows pay\)$/
    )
    expect(info.versions['tfjs']).toBe('4.22.0')
    const fonts = await client.request('listFonts', undefined)
    expect(fonts.map((f) => f.glyphs.length)).toEqual([32, 32, 32])
    const datasets = await client.request('listDatasets', undefined)
    expect(datasets.map((d) => d.id)).toEqual(['mnist', 'fashion-mnist'])
  })

  it('returns a clear error for an invalid payload and stays usable', async () => {
    await expect(
      client.request('startRun', letters({ ...defaultLetterConfig, epochs: 0 }))
    ).rejects.toThrow(/epochs/)
    await expect(
      client.request('startRun', letters({ ...defaultLetterConfig, epochs: 0 }))
    ).rejects.toBeInstanceOf(LabRequestError)
    expect((await client.request('listFonts', undefined)).length).toBe(3)
  })

  it('trains in the worker and streams progress, then the result', async () => {
    const progress: number[] = []
    const off = client.on('runProgress', (p) =>
      progress.push(...(glyphProgress(p)?.points.map(([epoch]) => epoch) ?? []))
    )
    const finished = recordEvents(client, 'runDone')
    const { runId } = await client.request(
      'startRun',
      letters({ ...defaultLetterConfig, epochs: 300, maxWrongPixels: null })
    )
    // The host's event loop stays free while the worker trains: requests are answered at once.
    expect((await client.request('listFonts', undefined)).length).toBe(3)
    const done = glyphDone(await finished.until((d) => d.runId === runId))
    finished.stop()
    off()
    expect(done.status).toBe('completed')
    expect(done.epochs).toBe(300)
    expect(done.glyphs).toHaveLength(32)
    expect(done.glyphs.map((g) => g.char)).toContain('A')
    expect(progress).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  })

  it('runs one training at a time and stops, pauses and resumes on request', async () => {
    const { runId } = await client.request(
      'startRun',
      letters({ ...defaultLetterConfig, epochs: 1_000_000, maxWrongPixels: null })
    )
    await expect(client.request('startRun', letters(defaultLetterConfig))).rejects.toThrow(
      /already in progress/
    )
    await nextEvent(client, 'runProgress', (p) => p.runId === runId && p.epoch > 0)
    // Listen before asking: the paused event can arrive before the reply.
    const pausedEvent = nextEvent(
      client,
      'runProgress',
      (p) => p.runId === runId && glyphProgress(p)?.paused === true
    )
    await client.request('pauseRun', { runId })
    const paused = await pausedEvent
    await client.request('resumeRun', { runId })
    const resumed = await nextEvent(
      client,
      'runProgress',
      (p) => p.runId === runId && glyphProgress(p)?.paused === false && p.epoch > paused.epoch
    )
    expect(resumed.epoch).toBeGreaterThan(paused.epoch)
    const doneEvent = nextEvent(client, 'runDone', (d) => d.runId === runId)
    await client.request('stopRun', { runId })
    const done = glyphDone(await doneEvent)
    expect(done.status).toBe('stopped')
    expect(done.glyphs).toHaveLength(32)
    await expect(client.request('stopRun', { runId })).rejects.toThrow(/no training run/)
  })

  it('stops a paused run', async () => {
    const { runId } = await client.request(
      'startRun',
      letters({ ...defaultLetterConfig, epochs: 1_000_000, maxWrongPixels: null })
    )
    const paused = nextEvent(
      client,
      'runProgress',
      (p) => p.runId === runId && glyphProgress(p)?.paused === true
    )
    await client.request('pauseRun', { runId })
    await paused
    const done = nextEvent(client, 'runDone', (d) => d.runId === runId)
    await client.request('stopRun', { runId })
    expect((await done).status).toBe('stopped')
  })

  it('refuses WebSocket connections from other origins', async () => {
    const socket = new WebSocket(apiUrl, { origin: 'http://evil.example' })
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'))
      socket.on('error', (e) => resolve(e.message))
    })
    expect(outcome).toMatch(/403/)
  })

  it('hangs up on frames that are not lab requests', async () => {
    const socket = new WebSocket(apiUrl, { origin: new URL(host.url).origin })
    await new Promise((resolve) => socket.on('open', resolve))
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    socket.send('{"type":"request","id":-1}')
    expect(await closed).toBe(1008)
  })
})
