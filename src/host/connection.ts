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
// - a reply is computed only while the client has confirmed reading all but UNCONFIRMED bytes of
//   what was sent to it. A ping goes out after every PING_EVERY bytes; a client answers it only
//   once it has read everything sent before it (browsers and the ws package do so by
//   themselves). The socket's own backlog is no measure of this: the operating system takes
//   about 4 MB on loopback before `bufferedAmount` grows, and replies computed for a client that
//   reads nothing are garbage V8 may collect late (Node 24 let it grow the heap by ~150 MB);
// - at most MAX_IN_FLIGHT requests are handled at once; waiting requests are kept up to
//   QUEUE_BYTES, and beyond that, or while more than HIGH_WATER bytes wait to be sent, the host
//   stops reading the client;
// - a client that leaves a ping unanswered for STALL_MS, or falls MAX_BUFFERED behind, is closed
//   with a reason (1008);
// - uploads of all clients together hold at most MAX_REQUEST_BYTES; another waits its turn
//   with a "busy" answer. An announced upload that sends no byte for UPLOAD_IDLE_MS while the
//   host reads it is dropped, and its client closed (1008).
// Protocol violations (bad opcodes, unmasked frames, invalid UTF-8, bad close codes, oversize
// frames) are the ws package's to detect: it closes that connection with the RFC 6455 code.

const limits = {
  maxInFlight: 8,
  unconfirmed: 1 << 20,
  pingEvery: 256 << 10,
  queueBytes: 1 << 20,
  highWater: 4 << 20,
  lowWater: 1 << 20,
  maxBuffered: 64 << 20,
  stallMs: 10_000,
  /**
   * How long an announced upload may send no byte at all while the host reads it. Generous: a
   * browser under load was seen to pause a 68 MB upload for more than 30 s.
   */
  uploadIdleMs: 120_000,
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
  /** How long an announced upload may send nothing (default 120 s). */
  uploadIdleMs?: number
  /** The connection's socket, to see an upload's bytes as they arrive, not only whole parts. */
  socket?: { on(event: 'data', listener: () => void): unknown }
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
  let upload: Upload | null = null
  let closing = false
  // Characters of text sent, and of those, how many the client has confirmed reading (by
  // answering the ping sent after them). Pings wait for their pong in order.
  let sent = 0
  let confirmed = 0
  let pinged = 0
  let pingSeq = 0
  const pings: { seq: number; mark: number }[] = []
  let stall: NodeJS.Timeout | null = null
  // Requests wait here while the client has enough in flight or unconfirmed.
  const queue: { frame: RequestFrame; bytes: number }[] = []
  let queuedBytes = 0
  // When the client's last bytes came in (an upload's parts are 1 MB: slow links take a while).
  let lastByte = performance.now()
  const uploadIdleMs = options.uploadIdleMs ?? limits.uploadIdleMs
  options.socket?.on('data', () => (lastByte = performance.now()))

  const release = (): void => {
    if (upload && !upload.dropped) options.uploads.reserved -= upload.bytes
    upload = null
  }
  const stopTimer = (): void => {
    if (stall) clearTimeout(stall)
    stall = null
  }
  const hangUp = (code: number, reason: string): void => {
    release()
    stopTimer()
    queue.length = 0
    queuedBytes = 0
    if (ws.readyState === ws.OPEN) ws.close(code, reason)
  }
  const closeSlow = (reason: string): void => {
    if (closing) return
    closing = true
    options.log(
      `${reason}; closed it with ${megabytes(sent - confirmed)} unconfirmed, ` +
        `${megabytes(ws.bufferedAmount)} unsent`
    )
    hangUp(1008, reason)
    // Read again so that its answer to the close can arrive; cut it off if it never reads.
    ws.resume()
    setTimeout(() => ws.terminate(), limits.graceMs).unref()
  }
  /**
   * (Re)starts the clock of an upload's next part (only while the host reads the client), or
   * else of the oldest unanswered ping.
   */
  const watch = (): void => {
    stopTimer()
    if (closing || ws.readyState !== ws.OPEN) return
    if (upload && !paused) stall = setTimeout(checkUpload, uploadIdleMs)
    else if (pings.length > 0)
      stall = setTimeout(
        () => closeSlow(`the client did not read its replies for ${limits.stallMs / 1000} s`),
        limits.stallMs
      )
  }
  const checkUpload = (): void => {
    // After the poll phase: bytes that came while the host was busy are counted first.
    setImmediate(() => {
      if (!upload || paused || closing) return
      const idle = performance.now() - lastByte
      if (idle < uploadIdleMs) {
        stall = setTimeout(checkUpload, uploadIdleMs - idle)
        return
      }
      hangUp(1008, `an announced upload sent nothing for ${uploadIdleMs / 1000} s`)
    })
  }
  const adjustReading = (): void => {
    const buffered = ws.bufferedAmount
    const full = queuedBytes > limits.queueBytes
    if (!paused && (full || buffered > limits.highWater)) {
      paused = true
      ws.pause()
      if (upload) watch()
    } else if (paused && !full && buffered <= limits.lowWater && !closing) {
      paused = false
      ws.resume()
      if (upload) watch()
    }
  }
  const sendText = (text: string): void => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > limits.maxBuffered)
      return closeSlow(`the client fell more than ${megabytes(limits.maxBuffered)} behind`)
    ws.send(text, () => pump())
    sent += text.length
    if (sent - pinged >= limits.pingEvery) {
      pinged = sent
      pings.push({ seq: ++pingSeq, mark: sent })
      ws.ping(String(pingSeq))
      if (pings.length === 1 && !(upload && !paused)) watch()
    }
    adjustReading()
  }
  const onPong = (data: Buffer): void => {
    const seq = Number(data.toString('latin1'))
    if (!pings.some((ping) => ping.seq === seq)) return
    while (pings.length > 0 && pings[0]!.seq <= seq) confirmed = pings.shift()!.mark
    if (!(upload && !paused)) watch()
    pump()
  }
  const send = (frame: ServerFrame): void => sendText(JSON.stringify(frame))
  /** Starts waiting requests while the client keeps up. */
  const pump = (): void => {
    while (
      queue.length > 0 &&
      inFlight < limits.maxInFlight &&
      sent - confirmed < limits.unconfirmed &&
      ws.bufferedAmount <= limits.highWater &&
      ws.readyState === ws.OPEN
    ) {
      const { frame, bytes } = queue.shift()!
      queuedBytes -= bytes
      inFlight++
      void options.dispatch(frame.name, frame.input).then((envelope) => {
        inFlight--
        send({ type: 'response', id: frame.id, envelope })
        pump()
      })
    }
    adjustReading()
  }
  const answer = (frame: RequestFrame, bytes: number): void => {
    queue.push({ frame, bytes })
    queuedBytes += bytes
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
    if (frame.type === 'request') return answer(frame, text.length)
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
    watch()
  }
  const onBinary = (part: Buffer): void => {
    if (!upload) return hangUp(1008, 'a binary frame came outside an upload')
    upload.received += part.length
    if (upload.received > upload.bytes)
      return hangUp(1008, 'an upload was longer than it announced')
    if (!upload.dropped) upload.parts.push(part)
    if (upload.received < upload.bytes) return watch()
    const { id, parts, dropped, received } = upload
    release()
    watch()
    if (dropped) return
    let raw: unknown
    try {
      raw = JSON.parse(Buffer.concat(parts).toString('utf8'))
    } catch {
      return hangUp(1008, 'uploaded request is not JSON')
    }
    const parsed = requestFrameSchema.safeParse(raw)
    if (!parsed.success || parsed.data.id !== id) return hangUp(1008, 'malformed uploaded request')
    answer(parsed.data, received)
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
  ws.on('pong', onPong)
  // Without a listener a protocol error would be thrown, and end the host.
  ws.on('error', () => undefined)
  ws.on('close', () => {
    release()
    stopTimer()
  })
  return { sendText }
}
