import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { parseServeArgs } from '../src/host/serve'
import { builtRenderer, builtWorker, datasetsDir, scratchWorkspace } from './helpers'
import { RawWebSocket, rawHttp, upgradeRequest } from './raw-socket'
import { startServeProcess } from './serve-process'

// Issue 13, items 4 and 5: who may talk to the lab. Only the Host names the server is bound to
// (a DNS-rebinding page sends its own), only pages of those origins, and off the loopback
// interface only holders of the per-launch token.

const TOKEN = 'c0ffee'.repeat(8)

const start = (options: { host?: string; token?: string } = {}): Promise<BrowserHost> =>
  startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    workspace: scratchWorkspace(),
    preferredBackend: 'wasm',
    threads: 1,
    ...options
  })

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function upgradeStatus(
  port: number,
  options: Parameters<typeof upgradeRequest>[1]
): Promise<number> {
  const ws = await RawWebSocket.open(port, upgradeRequest(port, options))
  ws.socket.destroy()
  return ws.status
}

describe('Host and Origin (DNS rebinding)', () => {
  let host: BrowserHost
  let port: number
  beforeAll(async () => {
    host = await start()
    port = Number(new URL(host.url).port)
  })
  afterAll(() => host.close())

  it('serves pages only to the names it is bound to', async () => {
    for (const name of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])
      expect((await get(port, '/', { host: `${name}:${port}` })).status).toBe(200)
    for (const name of ['evil.example', '127.0.0.1.evil.example', 'localhost.'])
      expect((await get(port, '/', { host: `${name}:${port}` })).status).toBe(403)
    expect((await get(port, '/', { host: `127.0.0.1:${port + 1}` })).status).toBe(403)
    expect(await rawHttp(port, 'GET / HTTP/1.0\r\n\r\n')).toBe(403)
  })

  it('opens WebSockets only for those names and their own origins', async () => {
    const evil = `evil.example:${port}`
    expect(await upgradeStatus(port, { host: evil, origin: `http://${evil}` })).toBe(403)
    expect(await upgradeStatus(port, { host: evil })).toBe(403)
    expect(await upgradeStatus(port, { origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(port, { origin: 'null' })).toBe(403)
    expect(await upgradeStatus(port, { origin: `http://localhost:${port}` })).toBe(101)
    const local = `localhost:${port}`
    expect(await upgradeStatus(port, { host: local, origin: `http://${local}` })).toBe(101)
    expect(await upgradeStatus(port, {})).toBe(101)
  })
})

describe('the access token', () => {
  it('is required to serve beyond the loopback interface', async () => {
    let started: BrowserHost | null = null
    try {
      started = await start({ host: '0.0.0.0' })
    } catch (error) {
      expect((error as Error).message).toBe(
        'refusing to serve the lab on 0.0.0.0 without an access token'
      )
    }
    await started?.close()
    expect(started).toBeNull()
  })

  it('is generated per launch for a non-loopback host, or taken from --token', () => {
    const a = parseServeArgs(['--host', '0.0.0.0'])
    const b = parseServeArgs(['--host', '0.0.0.0'])
    expect(a.token).toMatch(/^[0-9a-f]{48}$/)
    expect(b.token).not.toBe(a.token)
    expect(parseServeArgs([]).token).toBeUndefined()
    expect(parseServeArgs(['--host', '0.0.0.0', '--token', TOKEN]).token).toBe(TOKEN)
    expect(() => parseServeArgs(['--host', '0.0.0.0', '--token', ''])).toThrow(
      '--token must be 16 to 256 letters, digits, "-", "_" or "."'
    )
    expect(() => parseServeArgs(['--token', 'short'])).toThrow(/--token must be 16 to 256/)
  })

  describe('on a host started with one', () => {
    let host: BrowserHost
    let port: number
    beforeAll(async () => {
      host = await start({ token: TOKEN })
      port = Number(new URL(host.url).port)
    })
    afterAll(() => host.close())

    it('refuses pages without it, or with a wrong one', async () => {
      expect((await get(port, '/')).status).toBe(403)
      expect((await get(port, '/index.html?token=x')).status).toBe(403)
      expect((await get(port, `/?token=${TOKEN.slice(0, -1)}0`)).status).toBe(403)
      expect((await get(port, '/', { cookie: `lab-token-${port}=${TOKEN}x` })).status).toBe(403)
    })

    it('sets an HttpOnly, SameSite=Strict cookie on the first visit and then needs only that', async () => {
      const first = await get(port, `/?token=${TOKEN}`)
      expect(first.status).toBe(303)
      expect(first.headers['location']).toBe('/')
      const cookie = String(first.headers['set-cookie'])
      expect(cookie).toBe(`lab-token-${port}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`)
      const page = await get(port, '/', { cookie: cookie.split(';')[0]! })
      expect(page.status).toBe(200)
    })

    it('guards the WebSocket the same way', async () => {
      expect(await upgradeStatus(port, {})).toBe(403)
      expect(await upgradeStatus(port, { path: '/api?token=wrong' })).toBe(403)
      expect(await upgradeStatus(port, { path: `/api?token=${TOKEN}` })).toBe(101)
      const viaCookie = new WebSocket(`ws://127.0.0.1:${port}/api`, {
        headers: { cookie: `other=1; lab-token-${port}=${TOKEN}` }
      })
      await new Promise((resolve, reject) => {
        viaCookie.on('open', resolve)
        viaCookie.on('error', reject)
      })
      viaCookie.close()
    })
  })

  it('is printed in the URL by lab serve', async () => {
    const serve = await startServeProcess(['--token', TOKEN])
    try {
      expect(serve.printed).toBe(`${serve.url}?token=${TOKEN}`)
      expect((await get(serve.port, '/')).status).toBe(403)
      expect((await get(serve.port, `/?token=${TOKEN}`)).status).toBe(303)
    } finally {
      await serve.stop()
    }
  })
})
