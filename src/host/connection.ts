import type { WebSocket } from 'ws'
import type { Envelope } from '../shared/contract'
import {
  MAX_REQUEST_BYTES,
  clientFrameSchema,
  megabytes,
  requestFrameSchema,
  type RequestFrame,
  type ServerFrame
} from '../shared/wire'

// One client of the browser host: reads its request frames (reassembling uploads), answers them,
// and relays events, without letting it grow the host's memory:
// - at most MAX_IN_FLIGHT requests are handled at once; beyond that the host stops reading it;
// - while more than HIGH_WATER bytes wait to be sent to it, the host stops reading it too;
// - a client that reads nothing of its waiting replies for STALL_MS, or falls MAX_BUFFERED
//   behind, is closed with a reason (1008);
// - uploads of all clients together hold at most MAX_REQUEST_BYTES; another waits its turn
//   with a "busy" answer.
// Protocol violations (bad opcodes, unmasked frames, invalid UTF-8, bad close codes, oversize
// frames) are the ws package's to detect: it closes that connection with the RFC 6455 code.

const limits = {
  maxInFlight: 8,
  highWater: 4 << 20,
  lowWater: 1 << 20,
  maxBuffered: 64 << 20,
  stallMs: 10_000,
  /** How long a closed slow client has to read the close frame before it is cut off. */
  graceMs: 10_000
}

/** Bytes reserved by uploads in progress, shared by every connection of a host. */
export interface UploadBudget {
  reserved: number
}

export interface ConnectionOptions {
  /** Runs one request; never throws. */
  dispatch(name: string, input: unknown): Promise<Envelope<unknown>>
  uploads: UploadBudget
  log(line: string): void
}

export interface Connection {
  /**
   * Sends a frame, as JSON text (serialised once for all clients by a broadcast), unless the
   * client is gone or too far behind (then it is closed).
   */
  sendText(text: string): void
}

interface Upload {
  id: number
  bytes: number
  received: number
  parts: Buffer[]
  /** Refused for lack of room: its parts are read and dropped. */
  dropped: boolean
}

export function serveConnection(ws: WebSocket, options: ConnectionOptions): Connection {
  let inFlight = 0
  let paused = false
  let flushed = 0
  let stall: { timer: NodeJS.Timeout; flushed: number } | null = null
  let upload: Upload | null = null
  let closing = false
  // Requests wait here while the client has enough in flight or unread; the socket is paused
  // meanwhile, so this holds at most what was read before the pause took effect.
  const queue: RequestFrame[] = []

  const release = (): void => {
    if (upload && !upload.dropped) options.uploads.reserved -= upload.bytes
    upload = null
  }
  const hangUp = (code: number, reason: string): void => {
    release()
    queue.length = 0
    if (ws.readyState === ws.OPEN) ws.close(code, reason)
  }
  const closeSlow = (reason: string): void => {
    if (closing) return
    closing = true
    options.log(`${reason}; closed it with ${megabytes(ws.bufferedAmount)} unsent`)
    hangUp(1008, reason)
    // Read again so that its answer to the close can arrive; cut it off if it never reads.
    ws.resume()
    setTimeout(() => ws.terminate(), limits.graceMs).unref()
  }
  const adjustReading = (): void => {
    const buffered = ws.bufferedAmount
    const busy = queue.length > 0 || inFlight >= limits.maxInFlight
    if (!paused && (busy || buffered > limits.highWater)) {
      paused = true
      ws.pause()
    } else if (paused && !busy && buffered <= limits.lowWater && !closing) {
      paused = false
      ws.resume()
    }
    if (buffered > limits.highWater && !stall && !closing) {
      stall = { timer: setTimeout(checkStall, limits.stallMs), flushed }
    }
  }
  const checkStall = (): void => {
    const since = stall?.flushed ?? flushed
    stall = null
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount <= limits.highWater) return
    if (flushed === since)
      return closeSlow(`the client did not read its replies for ${limits.stallMs / 1000} s`)
    adjustReading()
  }
  const sendText = (text: string): void => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > limits.maxBuffered)
      return closeSlow(`the client fell more than ${megabytes(limits.maxBuffered)} behind`)
    ws.send(text, (error) => {
      if (!error) flushed += text.length
      pump()
    })
    adjustReading()
  }
  const send = (frame: ServerFrame): void => sendText(JSON.stringify(frame))
  /** Starts waiting requests while the client keeps up. */
  const pump = (): void => {
    while (
      queue.length > 0 &&
      inFlight < limits.maxInFlight &&
      ws.bufferedAmount <= limits.highWater &&
      ws.readyState === ws.OPEN
    ) {
      const frame = queue.shift()!
      inFlight++
      void options.dispatch(frame.name, frame.input).then((envelope) => {
        inFlight--
        send({ type: 'response', id: frame.id, envelope })
        pump()
      })
    }
    adjustReading()
  }
  const answer = (frame: RequestFrame): void => {
    queue.push(frame)
    pump()
  }
  const onText = (text: string): void => {
    if (upload) return hangUp(1008, 'a request frame came in the middle of an upload')
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      return hangUp(1008, 'request frame is not JSON')
    }
    const parsed = clientFrameSchema.safeParse(raw)
    // Not our protocol: a frame without a request id cannot be answered, so hang up.
    if (!parsed.success) return hangUp(1008, 'malformed request frame')
    const frame = parsed.data
    if (frame.type === 'request') return answer(frame)
    const room = options.uploads.reserved + frame.bytes <= MAX_REQUEST_BYTES
    upload = { id: frame.id, bytes: frame.bytes, received: 0, parts: [], dropped: !room }
    if (room) options.uploads.reserved += frame.bytes
    else
      send({
        type: 'response',
        id: frame.id,
        envelope: {
          ok: false,
          error: {
            code: 'busy',
            message: `the lab host is receiving other large requests; try again once they are done`
          }
        }
      })
  }
  const onBinary = (part: Buffer): void => {
    if (!upload) return hangUp(1008, 'a binary frame came outside an upload')
    upload.received += part.length
    if (upload.received > upload.bytes)
      return hangUp(1008, 'an upload was longer than it announced')
    if (!upload.dropped) upload.parts.push(part)
    if (upload.received < upload.bytes) return
    const { id, parts, dropped } = upload
    release()
    if (dropped) return
    let raw: unknown
    try {
      raw = JSON.parse(Buffer.concat(parts).toString('utf8'))
    } catch {
      return hangUp(1008, 'uploaded request is not JSON')
    }
    const parsed = requestFrameSchema.safeParse(raw)
    if (!parsed.success || parsed.data.id !== id) return hangUp(1008, 'malformed uploaded request')
    answer(parsed.data)
  }

  ws.on('message', (data, isBinary) => {
    if (ws.readyState !== ws.OPEN || closing) return
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data)
    if (isBinary) onBinary(bytes)
    else onText(bytes.toString('utf8'))
  })
  // Without a listener a protocol error would be thrown, and end the host.
  ws.on('error', () => undefined)
  ws.on('close', () => {
    release()
    if (stall) clearTimeout(stall.timer)
  })
  return { sendText }
}
