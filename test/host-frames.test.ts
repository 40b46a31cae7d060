import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WsLabClient } from '../src/shared/lab-client'
import { MAX_SESSION_BYTES } from '../src/shared/session'
import { connect } from './helpers'
import { RawWebSocket, closePayload, frame, upgradeRequest } from './raw-socket'
import { startServeProcess, type ServeProcess } from './serve-process'

// Issue 13, item 2: a WebSocket protocol violation closes that connection with the code RFC 6455
// gives it; the host and its other clients go on. Requests larger than one frame (a big session
// dropped on the page) still arrive.

let serve: ServeProcess
let bystander: WsLabClient
beforeAll(async () => {
  serve = await startServeProcess()
  bystander = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
})
afterAll(async () => {
  bystander.close()
  await serve.stop()
})

async function rawSocket(): Promise<RawWebSocket> {
  const origin = serve.url.slice(0, -1)
  const ws = await RawWebSocket.open(serve.port, upgradeRequest(serve.port, { origin }))
  expect(ws.status).toBe(101)
  return ws
}

const text = (payload: string | Buffer, extra: Partial<Parameters<typeof frame>[0]> = {}): Buffer =>
  frame({ opcode: 0x1, payload, ...extra })

const violations: [string, Buffer, number][] = [
  ['a reserved opcode', frame({ opcode: 0x3, payload: 'x' }), 1002],
  ['a reserved control opcode', frame({ opcode: 0xb }), 1002],
  ['an unmasked client frame', text('{}', { mask: false }), 1002],
  ['RSV bits without an extension', text('{}', { rsv: 4 }), 1002],
  ['text that is not UTF-8', text(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), 1007],
  ['overlong UTF-8 text', text(Buffer.from([0xc0, 0xae])), 1007],
  [
    'a close code that may not be sent (1005)',
    frame({ opcode: 0x8, payload: closePayload(1005) }),
    1002
  ],
  ['a close code out of range (999)', frame({ opcode: 0x8, payload: closePayload(999) }), 1002],
  ['a continuation with nothing to continue', frame({ opcode: 0x0, payload: 'x' }), 1002],
  ['a fragmented ping', frame({ opcode: 0x9, fin: false }), 1002],
  ['a ping longer than 125 bytes', frame({ opcode: 0x9, payload: 'p'.repeat(200) }), 1002],
  ['a frame declaring 300 MB', text('', { declaredLength: 300 << 20 }), 1009],
  ['a frame declaring 2^53 bytes', text('', { declaredLength: 2 ** 53 - 1 }), 1009]
]

describe('WebSocket protocol violations', () => {
  it.each(violations)('%s closes that connection only', async (_, bytes, code) => {
    const ws = await rawSocket()
    ws.send(bytes)
    expect((await ws.closed).code).toBe(code)
    expect(serve.exit).toBeNull()
    expect((await bystander.request('listFonts', undefined)).length).toBe(3)
  })

  it('still opens new connections afterwards', async () => {
    const client = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
    expect((await client.request('getInfo', undefined)).host).toBe('browser')
    client.close()
  })
})

describe('requests larger than a frame', () => {
  it('delivers a 70 MB request whole: the host answers it (here: not a session file)', async () => {
    const text = `{"format":"autoencoder-lab-session",${' '.repeat(70 << 20)}`
    await expect(
      bystander.request('importSession', { fileName: 'big.aelab', text })
    ).rejects.toThrow(/^big\.aelab: not a session file \(not valid JSON/)
    expect((await bystander.request('listFonts', undefined)).length).toBe(3)
  })

  it('refuses a request over the limit before sending it, with a clear message', async () => {
    const text = ' '.repeat(MAX_SESSION_BYTES + (32 << 20))
    await expect(
      bystander.request('importSession', { fileName: 'huge.aelab', text })
    ).rejects.toThrow(/^this request is 288 MB; the lab host accepts at most 272 MB$/)
    expect((await bystander.request('listFonts', undefined)).length).toBe(3)
  })
})
