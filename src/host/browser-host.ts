import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, EventPayload } from '../shared/contract'
import { dispatch } from '../services/lab-service'
import { createLab } from '../services/lab'
import type { BackendName } from '../shared/schemas'
import { API_PATH, MAX_FRAME_BYTES, type ServerFrame } from '../shared/wire'
import { accessTokenSchema, createAccess, isLoopback, type Access } from './access'
import { serveConnection, type Connection, type UploadBudget } from './connection'
import { parseTarget, serveFile } from './static-files'

// The browser host: serves the built renderer and the lab API over a WebSocket, on 127.0.0.1
// unless told otherwise. Same services as the Electron main process, another transport.

export interface BrowserHostOptions {
  port?: number
  host?: string
  /** Required on every request when set; required to bind beyond the loopback interface. */
  token?: string
  rendererDir: string
  datasetsDir: string
  workerPath: string
  /** Where sessions are listed, opened and saved by name. */
  workspace: string
  preferredBackend?: BackendName
  /** Threads of the wasm backend (default: every core, at most 8). */
  threads?: number
  versions?: Record<string, string>
  /** How long an announced upload may send nothing before it is dropped (default 120 s). */
  uploadIdleMs?: number
  /** Where the host reports clients it closed (default: nowhere). */
  log?: (line: string) => void
}

export interface BrowserHost {
  /** The address to open (without the token). */
  url: string
  close(): Promise<void>
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`)
}

/** Answers a WebSocket upgrade that will not happen, and hangs up. */
function refuseUpgrade(socket: Socket, status: 400 | 403, message: string): void {
  const title = status === 400 ? 'Bad Request' : 'Forbidden'
  const body = `${message}\n`
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

const TOKEN_NEEDED =
  'this lab needs its access token: open the address `lab serve` printed (it ends in ?token=…)'

function handleHttp(
  access: Access,
  rendererDir: string,
  req: IncomingMessage,
  res: ServerResponse
): void {
  const refused = access.refuseHeaders(req.headers)
  if (refused) return refuse(res, 403, refused)
  const target = parseTarget(req.url)
  if (!target) return refuse(res, 400, 'malformed request target')
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed')
  if (!access.hasToken(req.headers, target.query)) return refuse(res, 403, TOKEN_NEEDED)
  const cookie = access.cookie()
  if (cookie && target.query.has('token')) {
    // First visit: keep the token in a cookie, and take it out of the address bar.
    target.query.delete('token')
    const rest = target.query.size ? `?${target.query}` : ''
    res.writeHead(303, { 'set-cookie': cookie, location: `${req.url?.split('?')[0]}${rest}` })
    res.end()
    return
  }
  serveFile(rendererDir, target.path, req.method, res)
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const bind = options.host ?? '127.0.0.1'
  if (options.token !== undefined) accessTokenSchema.parse(options.token)
  else if (!isLoopback(bind))
    throw new Error(`refusing to serve the lab on ${bind} without an access token`)
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new Error(
      `the lab's user interface is not built (${options.rendererDir}); run \`npm run build\``
    )
  }
  const connections = new Map<WebSocket, Connection>()
  const broadcast = <K extends EventName>(name: K, payload: EventPayload<K>): void => {
    const frame: ServerFrame = { type: 'event', name, payload }
    const text = JSON.stringify(frame)
    for (const connection of connections.values()) connection.sendText(text)
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
  // Access depends on the port, known once listening; nothing is served before.
  let access: Access = createAccess({ bound: bind, port: -1, token: options.token })
  const server = createServer((req, res) => {
    try {
      handleHttp(access, options.rendererDir, req, res)
    } catch {
      if (!res.headersSent) refuse(res, 500, 'internal error')
      else res.destroy()
    }
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  const uploads: UploadBudget = { reserved: 0 }
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener: a reset must not end the host.
    socket.on('error', () => socket.destroy())
    const refused = access.refuseHeaders(req.headers)
    if (refused) return refuseUpgrade(socket, 403, refused)
    const target = parseTarget(req.url)
    if (!target) return refuseUpgrade(socket, 400, 'malformed request target')
    if (target.path !== API_PATH)
      return refuseUpgrade(socket, 403, `the lab's API is at ${API_PATH}`)
    if (!access.hasToken(req.headers, target.query)) return refuseUpgrade(socket, 403, TOKEN_NEEDED)
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Each connection is one tab's session: its own autosave, recoverable once it closes.
      const client = `tab${(tabs++).toString(36)}`
      const handlers = lab.handlersFor(client)
      const connection = serveConnection(ws, {
        dispatch: (name, input) => dispatch(handlers, name, input),
        uploads,
        log: (line) => options.log?.(line),
        uploadIdleMs: options.uploadIdleMs,
        socket
      })
      connections.set(ws, connection)
      ws.on('close', () => {
        connections.delete(ws)
        lab.sessions.disconnect(client)
      })
    })
  })
  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, bind, () => resolvePromise())
    })
  } catch (error) {
    await lab.close()
    throw error
  }
  const address = server.address() as AddressInfo
  access = createAccess({ bound: bind, port: address.port, token: options.token })
  return {
    url: `http://${reachableName(address)}:${address.port}/`,
    close: async () => {
      for (const ws of connections.keys()) ws.terminate()
      wss.close()
      await lab.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}

/** A name to reach the server by: its address, or for a wildcard bind an external one. */
function reachableName(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::'
  if (!wildcard) return address.family === 'IPv6' ? `[${address.address}]` : address.address
  const external = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && !entry.internal && entry.family === 'IPv4')
  return external?.address ?? '127.0.0.1'
}
