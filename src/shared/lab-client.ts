import {
  envelopeSchema,
  events,
  isEventName,
  requests,
  type EventName,
  type EventPayload,
  type LabClient,
  type RequestName,
  type RequestOutput
} from './contract'
import { MAX_FRAME_BYTES, MAX_REQUEST_BYTES, megabytes, serverFrameSchema } from './wire'

// The client side of the lab API, shared by the renderer and Node tools: reply and event
// validation, and the WebSocket transport of the browser host.

/** A request failed on the host side; the message is meant for the user. */
export class LabRequestError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** Checks a host's reply envelope and the result inside it against the contract. */
export function unwrap<K extends RequestName>(name: K, raw: unknown): RequestOutput<K> {
  const envelope = envelopeSchema.safeParse(raw)
  if (!envelope.success)
    throw new LabRequestError('invalid-reply', `the host sent a malformed reply to ${name}`)
  if (!envelope.data.ok)
    throw new LabRequestError(envelope.data.error.code, envelope.data.error.message)
  const result = requests[name].output.safeParse(envelope.data.result)
  if (!result.success)
    throw new LabRequestError(
      'invalid-reply',
      `the host's reply to ${name} does not match the contract`
    )
  return result.data as RequestOutput<K>
}

/** Validates a pushed event; malformed ones are dropped with a console warning. */
export function parseEvent<K extends EventName>(name: K, raw: unknown): EventPayload<K> | null {
  const parsed = events[name].safeParse(raw)
  if (!parsed.success) {
    console.warn(`dropped a malformed ${name} event`)
    return null
  }
  return parsed.data as EventPayload<K>
}

// The lab over the browser host's WebSocket. Requests are matched to replies by id; a dropped
// connection fails the requests in flight with a clear message.

type Listener = (payload: never) => void

export interface WsLabClient extends LabClient {
  close(): void
}

/** The subset of the WebSocket interface used here (the browser's, or the `ws` package's in tests). */
export interface SocketLike {
  readonly readyState: number
  /** Text goes as a text frame, bytes as a binary frame. */
  send(data: string | Uint8Array): void
  close(): void
  addEventListener(type: 'open' | 'error', listener: () => void, options?: { once?: boolean }): void
  addEventListener(type: 'close', listener: (event: { reason?: string }) => void): void
  addEventListener(type: 'message', listener: (message: { data: unknown }) => void): void
}

export function connectWebSocketClient(
  url: string,
  createSocket: (url: string) => SocketLike = (u) =>
    new (globalThis as unknown as { WebSocket: new (url: string) => SocketLike }).WebSocket(u)
): Promise<WsLabClient> {
  const socket = createSocket(url)
  const pending = new Map<
    number,
    { name: string; resolve: (raw: unknown) => void; reject: (e: Error) => void }
  >()
  const listeners = new Map<EventName, Set<Listener>>()
  let nextId = 1
  let closedReason: string | null = null

  socket.addEventListener('message', (message) => {
    let raw: unknown
    try {
      raw = JSON.parse(String(message.data))
    } catch {
      return
    }
    const parsed = serverFrameSchema.safeParse(raw)
    if (!parsed.success) return
    const frame = parsed.data
    if (frame.type === 'response') {
      const entry = pending.get(frame.id)
      pending.delete(frame.id)
      entry?.resolve(frame.envelope)
    } else if (isEventName(frame.name)) {
      const payload = parseEvent(frame.name, frame.payload)
      if (payload)
        for (const listener of listeners.get(frame.name) ?? [])
          (listener as (p: typeof payload) => void)(payload)
    }
  })
  socket.addEventListener('close', (event) => {
    // The host says why when it closes on purpose (e.g. a client that stopped reading).
    const why = event.reason ? ` (${event.reason})` : ''
    closedReason = `the connection to the lab host was closed${why}; reload the page once the host is running again`
    for (const entry of pending.values())
      entry.reject(new LabRequestError('disconnected', closedReason))
    pending.clear()
  })

  const client: WsLabClient = {
    request: (name, input) =>
      new Promise((resolve, reject) => {
        if (closedReason) return reject(new LabRequestError('disconnected', closedReason))
        const id = nextId++
        const text = JSON.stringify({ type: 'request', id, name, input })
        try {
          transmit(socket, id, text)
        } catch (error) {
          return reject(error as Error)
        }
        pending.set(id, {
          name,
          resolve: (raw) => {
            try {
              resolve(unwrap(name, raw))
            } catch (error) {
              reject(error as Error)
            }
          },
          reject
        })
      }),
    on: <K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void) => {
      const set = listeners.get(name) ?? new Set<Listener>()
      set.add(listener as Listener)
      listeners.set(name, set)
      return () => set.delete(listener as Listener)
    },
    close: () => socket.close()
  }
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(client), { once: true })
    socket.addEventListener(
      'error',
      () => reject(new Error(`cannot reach the lab host at ${url}`)),
      { once: true }
    )
  })
}

/**
 * Sends a request frame: as one text frame when it fits, otherwise announced and uploaded in
 * binary parts (see wire.ts). Throws, sending nothing, when it is larger than the host accepts.
 */
function transmit(socket: SocketLike, id: number, text: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, and at least 1.
  if (text.length * 3 <= MAX_FRAME_BYTES) return socket.send(text)
  const tooLarge = (bytes: number): LabRequestError =>
    new LabRequestError(
      'too-large',
      `this request is ${megabytes(bytes)}; the lab host accepts at most ${megabytes(MAX_REQUEST_BYTES)}`
    )
  if (text.length > MAX_REQUEST_BYTES) throw tooLarge(text.length)
  const bytes = new TextEncoder().encode(text)
  if (bytes.length <= MAX_FRAME_BYTES) return socket.send(text)
  if (bytes.length > MAX_REQUEST_BYTES) throw tooLarge(bytes.length)
  socket.send(JSON.stringify({ type: 'upload', id, bytes: bytes.length }))
  for (let at = 0; at < bytes.length; at += MAX_FRAME_BYTES)
    socket.send(bytes.subarray(at, at + MAX_FRAME_BYTES))
}

/** The API address of the host that served this page. */
export function apiUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`
}
