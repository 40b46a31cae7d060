import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from './helpers'
import { rawHttp, upgradeRequest } from './raw-socket'
import { startServeProcess, type ServeProcess } from './serve-process'

// Issue 13, item 1: request targets that do not parse or decode are answered with 400, and the
// host goes on serving (they made the process exit: any web page could send one with an <img>).

let serve: ServeProcess
beforeAll(async () => {
  serve = await startServeProcess()
})
afterAll(() => serve.stop())

const targets = ['/%', '/%E0%A4%A', '/%c0%ae', '/%c0%ae%c0%ae/package.json', 'http://[/', '/a%ff']

describe('malformed request targets', () => {
  it.each(targets)('GET %s is a 400', async (target) => {
    const host = `127.0.0.1:${serve.port}`
    expect(await rawHttp(serve.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).toBe(400)
    expect(serve.exit).toBeNull()
  })

  it.each(targets)('an upgrade to %s is a 400', async (target) => {
    expect(await rawHttp(serve.port, upgradeRequest(serve.port, { path: target }))).toBe(400)
    expect(serve.exit).toBeNull()
  })

  it('keeps serving pages and the API afterwards', async () => {
    const page = await fetch(serve.url)
    expect(page.status).toBe(200)
    const client = await connect(`${serve.url.replace(/^http/, 'ws')}api`)
    expect((await client.request('listFonts', undefined)).length).toBe(3)
    client.close()
    expect(serve.exit).toBeNull()
  })
})
