import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

// Raw bytes over TCP, for requests and WebSocket frames that well-behaved clients (node:http,
// the ws package, browsers) refuse to send.

/** Sends `text` as is; resolves with the HTTP status the server answered (0: it hung up). */
export function rawHttp(port: number, text: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    let head = ''
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      if (head.includes('\r\n')) socket.destroy()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)))
  })
}

/** The head of a WebSocket upgrade request. */
export function upgradeRequest(
  port: number,
  options: { path?: string; host?: string; origin?: string; headers?: string[] } = {}
): string {
  const lines = [
    `GET ${options.path ?? '/api'} HTTP/1.1`,
    `Host: ${options.host ?? `127.0.0.1:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...(options.origin ? [`Origin: ${options.origin}`] : []),
    ...(options.headers ?? [])
  ]
  return `${lines.join('\r\n')}\r\n\r\n`
}

export interface FrameOptions {
  opcode: number
  payload?: Buffer | string
  fin?: boolean
  /** RSV1-3 bits (0-7). */
  rsv?: number
  mask?: boolean
  /** Declare this length instead of the payload's (a lie the server must survive). */
  declaredLength?: number
}

/** One WebSocket frame as a client would write it (masked unless told otherwise). */
export function frame(options: FrameOptions): Buffer {
  const payload = Buffer.from(options.payload ?? '')
  const length = options.declaredLength ?? payload.length
  const mask = options.mask ?? true
  const head: number[] = [
    ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | options.opcode
  ]
  const maskBit = mask ? 0x80 : 0
  if (length < 126) head.push(maskBit | length)
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 255)
  else {
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt(length))
    head.push(maskBit | 127, ...big)
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload])
  const key = randomBytes(4)
  const masked = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!))
  return Buffer.concat([Buffer.from(head), key, masked])
}

/** A close frame's payload: a code and a reason. */
export const closePayload = (code: number, reason = ''): Buffer => {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason))
  out.writeUInt16BE(code)
  out.write(reason, 2)
  return out
}

/** A WebSocket connection opened by hand: frames go out as raw bytes, server frames are parsed. */
export class RawWebSocket {
  /** The HTTP status of the handshake (101 when it opened). */
  status = 0
  /** The server's close frame, or null when it hung up without one. */
  readonly closed: Promise<{ code: number | null; reason: string }>
  /** Text messages received, in order. */
  readonly messages: string[] = []
  private buffer = Buffer.alloc(0)
  private handshakeDone = false
  private closeFrame: { code: number | null; reason: string } | null = null

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', () => resolve(this.closeFrame ?? { code: null, reason: '' }))
    })
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
  }

  /** Connects and sends the upgrade; resolves once the server answered the handshake. */
  static open(port: number, request: string = upgradeRequest(port)): Promise<RawWebSocket> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request))
      const ws = new RawWebSocket(socket)
      const settle = (): void => resolve(ws)
      socket.once('close', settle)
      ws.onHandshake = settle
    })
  }

  private onHandshake: () => void = () => undefined

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes)
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    if (!this.handshakeDone) {
      const end = this.buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = this.buffer.subarray(0, end).toString('latin1')
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)
      this.buffer = this.buffer.subarray(end + 4)
      this.handshakeDone = true
      this.onHandshake()
    }
    for (;;) {
      if (this.buffer.length < 2) return
      const opcode = this.buffer[0]! & 0x0f
      let length = this.buffer[1]! & 0x7f
      let at = 2
      if (length === 126) {
        if (this.buffer.length < 4) return
        length = this.buffer.readUInt16BE(2)
        at = 4
      } else if (length === 127) {
        if (this.buffer.length < 10) return
        length = Number(this.buffer.readBigUInt64BE(2))
        at = 10
      }
      if (this.buffer.length < at + length) return
      const payload = this.buffer.subarray(at, at + length)
      this.buffer = this.buffer.subarray(at + length)
      if (opcode === 0x1) this.messages.push(payload.toString('utf8'))
      // Answer pings, as RFC 6455 asks: the host computes replies only for clients that do.
      if (opcode === 0x9) this.send(frame({ opcode: 0xa, payload }))
      if (opcode === 0x8) {
        this.closeFrame = {
          code: payload.length >= 2 ? payload.readUInt16BE(0) : null,
          reason: payload.subarray(2).toString('utf8')
        }
        // Answer it, as RFC 6455 asks; the server then ends the connection.
        this.send(frame({ opcode: 0x8, payload: payload.subarray(0, 2) }))
      }
    }
  }
}

/** A lab request frame, as text. */
export const requestText = (id: number, name: string, input?: unknown): string =>
  JSON.stringify({ type: 'request', id, name, input })
