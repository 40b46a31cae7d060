import { afterAll, beforeAll, expect, it } from 'vitest'
import type { WsLabClient } from '../src/shared/lab-client'
import { connect } from './helpers'
import { RawWebSocket, frame, requestText, upgradeRequest } from './raw-socket'
import { startServeProcess, type ServeProcess } from './serve-process'

// A bounded load test of the browser host (issue 13), on loopback only, stopping by itself:
// 200 clients sending requests as fast as they are answered (a few in flight each) for a few
// seconds, plus one client that floods requests and never reads a reply. The host (`lab serve`
// in a child process) stays under 400 MB and keeps answering everyone else. Prints the figures.

const CONNECTIONS = 200
const IN_FLIGHT = 4
const LOAD_MS = 4000
const RSS_LIMIT = 400 * 2 ** 20
const indices = Array.from({ length: 256 }, (_, i) => i)

let serve: ServeProcess
const clients: WsLabClient[] = []
beforeAll(async () => {
  serve = await startServeProcess()
  const api = `${serve.url.replace(/^http/, 'ws')}api`
  for (let i = 0; i < CONNECTIONS; i += 20)
    clients.push(...(await Promise.all(Array.from({ length: 20 }, () => connect(api)))))
  // Start the training worker and load the fonts before measuring.
  await clients[0]!.request('getInfo', undefined)
  await clients[0]!.request('listFonts', undefined)
  await clients[0]!.request('datasetImages', { dataset: 'mnist', split: 'train', indices: [0] })
})
afterAll(async () => {
  for (const client of clients) client.close()
  await serve.stop()
})

/** One client's loop: `IN_FLIGHT` requests at a time until `deadline`; counts the answers. */
async function drive(client: WsLabClient, deadline: number): Promise<number> {
  let answered = 0
  const lane = async (lane: number): Promise<void> => {
    for (let i = 0; performance.now() < deadline; i++) {
      // Mostly small replies; every tenth the three fonts (about 20 KB).
      if ((i + lane) % 10 === 0) await client.request('listFonts', undefined)
      else await client.request('getInfo', undefined)
      answered++
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => lane(i)))
  return answered
}

/** The client that never reads: floods requests for 256 MNIST images (~700 KB of reply each). */
async function flood(ws: RawWebSocket, deadline: number): Promise<number> {
  let sent = 0
  while (performance.now() < deadline && !ws.socket.destroyed) {
    const input = { dataset: 'mnist', split: 'train', indices }
    const more = ws.socket.write(
      frame({ opcode: 0x1, payload: requestText(++sent, 'datasetImages', input) })
    )
    // Once the host stops reading it, so does this client's writing (no unbounded test memory).
    if (!more)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))
        ws.socket.once('drain', () => (clearTimeout(timer), resolve()))
      })
    else if (sent % 50 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  return sent
}

it(`serves ${CONNECTIONS} busy clients and one that never reads, within ${RSS_LIMIT / 2 ** 20} MB`, async () => {
  const origin = serve.url.slice(0, -1)
  const nonReader = await RawWebSocket.open(serve.port, upgradeRequest(serve.port, { origin }))
  expect(nonReader.status).toBe(101)
  nonReader.socket.pause()
  const before = serve.rss()
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, serve.rss())), 200)
  const started = performance.now()
  const deadline = started + LOAD_MS
  try {
    const [counts, flooded] = await Promise.all([
      Promise.all(clients.map((c) => drive(c, deadline))),
      flood(nonReader, deadline)
    ])
    const seconds = (performance.now() - started) / 1000
    const total = counts.reduce((a, b) => a + b, 0)
    // Everyone is still answered while the flooder sits on its unread replies.
    const after = await Promise.all(clients.map((c) => c.request('getInfo', undefined)))
    peak = Math.max(peak, serve.rss())
    process.stdout.write(
      `host load: ${CONNECTIONS} clients, ${total} requests answered in ${seconds.toFixed(1)} s ` +
        `(${Math.round(total / seconds)} msgs/s; fewest per client ${Math.min(...counts)}); ` +
        `the non-reader sent ${flooded}; host RSS ${(before / 2 ** 20).toFixed(0)} MB before, ` +
        `peak ${(peak / 2 ** 20).toFixed(0)} MB\n`
    )
    expect(after.every((info) => info.host === 'browser')).toBe(true)
    expect(Math.min(...counts)).toBeGreaterThan(0)
    expect(peak).toBeLessThan(RSS_LIMIT)
    expect(serve.exit).toBeNull()
    nonReader.socket.destroy()
  } finally {
    clearInterval(sampler)
  }
})
