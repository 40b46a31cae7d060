import { afterAll, beforeAll, expect, it } from 'vitest'
import { MAX_REQUEST_BYTES } from '../src/shared/wire'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { RawWebSocket, frame, requestText, upgradeRequest } from './raw-socket'
import { builtRenderer, builtWorker, datasetsDir, scratchWorkspace } from './helpers'

// An announced upload (a large request, sent in parts) that stops coming must not hold the
// host's memory and upload budget for ever: after a while without a byte (120 s by default; 3 s
// here) the host drops it and closes that client with a reason, and other clients' uploads are
// taken again.

let host: BrowserHost
let port = 0
beforeAll(async () => {
  host = await startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    workspace: scratchWorkspace(),
    uploadIdleMs: 3000
  })
  port = Number(new URL(host.url).port)
})
afterAll(() => host.close())

async function rawSocket(): Promise<RawWebSocket> {
  const origin = host.url.slice(0, -1)
  const ws = await RawWebSocket.open(port, upgradeRequest(port, { origin }))
  expect(ws.status).toBe(101)
  return ws
}

const announce = (id: number, bytes: number): Buffer =>
  frame({ opcode: 0x1, payload: JSON.stringify({ type: 'upload', id, bytes }) })

/** Resolves with the first text message that satisfies `match`, polling every 50 ms. */
async function message(ws: RawWebSocket, match: (text: string) => boolean): Promise<string> {
  for (;;) {
    const found = ws.messages.find(match)
    if (found) return found
    if (ws.socket.destroyed) throw new Error('the host closed the connection')
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('drops an upload whose parts stop coming, closes its client and frees the budget', async () => {
  // Takes the whole upload budget, sends 1 MB of it, then nothing.
  const idle = await rawSocket()
  idle.send(announce(1, MAX_REQUEST_BYTES))
  idle.send(frame({ opcode: 0x2, payload: Buffer.alloc(1 << 20, 0x20) }))
  // Meanwhile nobody else may upload.
  const other = await rawSocket()
  other.send(announce(7, 1000))
  expect(await message(other, (text) => text.includes('"id":7'))).toMatch(/"code":"busy"/)
  other.send(frame({ opcode: 0x2, payload: Buffer.alloc(1000, 0x20) }))

  const closed = await idle.closed
  expect(closed.code).toBe(1008)
  expect(closed.reason).toBe('an announced upload sent nothing for 3 s')

  // The budget is free again: an upload is taken and answered.
  const request = Buffer.from(requestText(8, 'listFonts'))
  other.send(announce(8, request.length))
  other.send(frame({ opcode: 0x2, payload: request }))
  const reply = JSON.parse(await message(other, (text) => text.includes('"id":8')))
  expect(reply).toMatchObject({ type: 'response', id: 8, envelope: { ok: true } })
  other.socket.destroy()
})
