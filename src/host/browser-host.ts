import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, EventPayload } from '../shared/contract'
import { dispatch } from '../services/lab-service'
import { createLab } from '../services/lab'
import type { BackendName } from '../shared/schemas'
import { API_PATH, MAX_FRAME_BYTES, clientFrameSchema, type ServerFrame } from './wire'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'

// The browser host: serves the built renderer and the lab API over a WebSocket, on 127.0.0.1
// unless told otherwise. Same services as the Electron main process, another transport.

export interface BrowserHostOptions {
  port?: number
  host?: string
  rendererDir: string
  datasetsDir: string
  workerPath: string
  /** Where sessions are listed, opened and saved by name. */
  workspace: string
  preferredBackend?: BackendName
  /** Threads of the wasm backend (default: every core, at most 8). */
  threads?: number
  versions?: Record<string, string>
}

export interface BrowserHost {
  url: string
  close(): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

function serveStatic(rendererDir: string, req: IncomingMessage, res: ServerResponse): void {
  const root = resolve(rendererDir)
  const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  const relative = urlPath === '/' ? 'index.html' : urlPath.slice(1)
  const file = normalize(join(root, relative))
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end()
    return
  }
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache'
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const sockets = new Set<WebSocket>()
  const broadcast = <K extends EventName>(name: K, payload: EventPayload<K>): void => {
    const frame: ServerFrame = { type: 'event', name, payload }
    const text = JSON.stringify(frame)
    for (const socket of sockets) socket.send(text)
  }
  const lab = createLab({
    host: 'browser',
    datasetsDir: options.datasetsDir,
    workerPath: options.workerPath,
    workspace: options.workspace,
    emit: broadcast,
    preferredBackend: options.preferredBackend,
    threads: options.threads,
    versions: options.versions
  })
  let tabs = 0
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new Error(
      `the lab's user interface is not built (${options.rendererDir}); run \`npm run build\``
    )
  }
  const server = createServer((req, res) => serveStatic(options.rendererDir, req, res))
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x')
    // Only pages served by this host may connect: a page from another origin must not drive it.
    const origin = req.headers.origin
    const expected = `http://${req.headers.host ?? ''}`
    if (pathname !== API_PATH || (origin !== undefined && origin !== expected)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws)
    // Each connection is one tab's session: its own autosave, recoverable once it closes.
    const client = `tab${(tabs++).toString(36)}`
    const handlers = lab.handlersFor(client)
    ws.on('close', () => {
      sockets.delete(ws)
      lab.sessions.disconnect(client)
    })
    ws.on('message', (data) => {
      let frame: unknown
      try {
        frame = JSON.parse(data.toString())
      } catch {
        ws.close(1008, 'request frame is not JSON')
        return
      }
      const parsed = clientFrameSchema.safeParse(frame)
      if (!parsed.success) {
        // Not our protocol: a frame without a request id cannot be answered, so hang up.
        ws.close(1008, 'malformed request frame')
        return
      }
      void dispatch(handlers, parsed.data.name, parsed.data.input).then((envelope) => {
        const reply: ServerFrame = { type: 'response', id: parsed.data.id, envelope }
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
      })
    })
  })
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolvePromise())
  })
  const address = server.address() as AddressInfo
  const hostName = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${hostName}:${address.port}/`,
    close: async () => {
      for (const socket of sockets) socket.terminate()
      wss.close()
      await lab.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}
