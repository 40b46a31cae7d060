import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WsLabClient } from '../src/shared/lab-client'
import { connect } from './helpers'
import { RawWebSocket, frame, requestText, upgradeRequest } from './raw-socket'
import { startServeProcess, type ServeProcess } from './serve-process'

// Issue 13, item 3: a client that sends requests and never reads the replies must not make the
// host buffer them without bound (300 requests took it from 109 MB to about 1 GB). The host stops
// reading from such a client, then closes it with a reason; everyone else is served meanwhile.
// Nor may the host keep computing replies while they only pile up in the operating system's
// socket buffers (which hold ~4 MB on loopback before the host sees any backlog): each reply
// here is ~0.5 MB of text and several MB of garbage, which Node 24's V8 collects late.

let serve: ServeProcess
let bystander: WsLabClient
let stderr = ''
beforeAll(async () => {
  serve = await startServeProcess()
  serve.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  bystander = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
})
afterAll(async () => {
  bystander.close()
  await serve.stop()
})

/** Resolves once `check` holds, polling every 50 ms. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50))
}

describe('a client that never reads its replies', () => {
  it('is cut off and then closed with a reason; the host stays small and serves others', async () => {
    const origin = serve.url.slice(0, -1)
    const reader = await RawWebSocket.open(serve.port, upgradeRequest(serve.port, { origin }))
    expect(reader.status).toBe(101)
    reader.socket.pause()
    // 600 requests for 256 MNIST images each: about 400 MB of replies if all were buffered.
    const indices = Array.from({ length: 256 }, (_, i) => i)
    // Load the images once first (about 50 MB kept for later requests), then measure.
    await bystander.request('datasetImages', { dataset: 'mnist', split: 'train', indices })
    const before = serve.rss()
    let peak = before
    for (let id = 1; id <= 600; id++) {
      const input = { dataset: 'mnist', split: 'train', indices }
      reader.send(frame({ opcode: 0x1, payload: requestText(id, 'datasetImages', input) }))
    }
    // Meanwhile the others are answered.
    const sampling = setInterval(() => (peak = Math.max(peak, serve.rss())), 100)
    try {
      for (let i = 0; i < 5; i++)
        expect((await bystander.request('listFonts', undefined)).length).toBe(3)
      await until(() => /did not read its replies/.test(stderr))
    } finally {
      clearInterval(sampling)
    }
    // The close frame waits behind the unread replies: reading now finds it.
    reader.socket.resume()
    const closed = await reader.closed
    expect(closed.code).toBe(1008)
    // What it finds before the close frame is every reply the host computed for it: the first
    // requests taken in (at most 8 in flight), and more only while it had left less than 1 MB
    // unconfirmed (two or three of these replies).
    const replies = reader.messages.filter((m) => m.startsWith('{"type":"response"'))
    process.stdout.write(
      `host backpressure: ${replies.length} replies computed for the non-reader; host RSS ` +
        `${(before / 2 ** 20).toFixed(0)} MB before, peak ${(peak / 2 ** 20).toFixed(0)} MB\n`
    )
    expect(replies.length).toBeGreaterThan(0)
    expect(replies.length).toBeLessThanOrEqual(12)
    expect(closed.reason).toMatch(/^the client did not read its replies for \d+ s$/)
    expect(peak - before).toBeLessThan(150 * 2 ** 20)
    expect(serve.exit).toBeNull()
    expect((await bystander.request('getInfo', undefined)).host).toBe('browser')
  })
})
