import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WsLabClient } from '../src/shared/lab-client'
import { mulberry32 } from '../src/shared/random'
import { CLASSIC_TARGETS, getRequest, randomFrameSequence, randomTarget } from './fuzz-corpus'
import { connect } from './helpers'
import { RawWebSocket, rawHttp, upgradeRequest } from './raw-socket'
import { startServeProcess, type ServeProcess } from './serve-process'

// Fuzzing the browser host (issue 13): a seeded corpus of malformed request targets and of
// broken WebSocket frame sequences, sent as raw bytes to `lab serve` in a child process. The
// host never exits, answers every request with a status that fits, ends every connection it
// should, and still serves a well-behaved client afterwards. LAB_FUZZ_SEED picks another corpus.

const seed = Number(process.env['LAB_FUZZ_SEED'] ?? 13)
const TARGETS = 300
const SEQUENCES = 300

let serve: ServeProcess
let client: WsLabClient
beforeAll(async () => {
  serve = await startServeProcess()
  client = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
  process.stdout.write(`host fuzz: seed ${seed}\n`)
})
afterAll(async () => {
  client.close()
  await serve.stop()
})

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map(work))
    expect(serve.exit).toBeNull()
  }
}

describe('host fuzz', () => {
  it('answers malformed request targets with a status, never by exiting (pages and upgrades)', async () => {
    const random = mulberry32(seed)
    const targets = [
      ...CLASSIC_TARGETS,
      ...Array.from({ length: TARGETS }, () => randomTarget(random))
    ]
    const host = `127.0.0.1:${serve.port}`
    const seen = new Map<number, number>()
    await inBatches(targets, 16, async (target) => {
      const page = await rawHttp(serve.port, getRequest(target, host))
      const upgrade = await rawHttp(
        serve.port,
        Buffer.from(upgradeRequest(serve.port, { path: target }), 'utf8')
      )
      for (const status of [page, upgrade]) seen.set(status, (seen.get(status) ?? 0) + 1)
      // A page may exist (200) or not (404); an upgrade may open (101: "/api?...").
      expect([200, 400, 404, 414, 431], `GET ${JSON.stringify(target)}`).toContain(page)
      expect([101, 400, 403, 414, 431], `upgrade ${JSON.stringify(target)}`).toContain(upgrade)
    })
    process.stdout.write(
      `host fuzz: ${targets.length} targets, statuses ${JSON.stringify(Object.fromEntries(seen))}\n`
    )
    expect(seen.get(400)).toBeGreaterThan(targets.length / 4)
    expect((await client.request('listFonts', undefined)).length).toBe(3)
  })

  it('ends every broken WebSocket conversation and keeps serving the others', async () => {
    const random = mulberry32(seed + 1)
    const sequences = Array.from({ length: SEQUENCES }, () => randomFrameSequence(random))
    const codes = new Map<string, number>()
    const origin = serve.url.slice(0, -1)
    await inBatches(sequences, 10, async (frames) => {
      const ws = await RawWebSocket.open(serve.port, upgradeRequest(serve.port, { origin }))
      expect(ws.status).toBe(101)
      for (const bytes of frames) ws.send(bytes)
      ws.socket.end()
      const { code } = await ws.closed
      codes.set(String(code), (codes.get(String(code)) ?? 0) + 1)
    })
    process.stdout.write(
      `host fuzz: ${SEQUENCES} frame sequences, close codes ${JSON.stringify(Object.fromEntries(codes))}\n`
    )
    // Most sequences break the protocol somewhere: the host said how.
    expect((codes.get('1002') ?? 0) + (codes.get('1007') ?? 0)).toBeGreaterThan(SEQUENCES / 10)
    expect((await client.request('getInfo', undefined)).host).toBe('browser')
    const fresh = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
    expect((await fresh.request('listFonts', undefined)).length).toBe(3)
    fresh.close()
    expect(serve.exit).toBeNull()
  })
})
