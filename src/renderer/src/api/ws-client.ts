import type { EventName, EventPayload, LabClient } from '@shared/contract'
import { isEventName } from '@shared/contract'
import { LabRequestError, parseEvent, unwrap } from './client'

// The lab over the browser host's WebSocket. Requests are matched to replies by id; a dropped
// connection fails the requests in flight with a clear message.

type Listener = (payload: never) => void

export interface WsLabClient extends LabClient {
  close(): void
}

/** The subset of the WebSocket interface used here (the browser's, or the `ws` package's in tests). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  addEventListener(
    type: 'open' | 'close' | 'error',
    listener: () => void,
    options?: { once?: boolean }
  ): void
  addEventListener(type: 'message', listener: (message: { data: unknown }) => void): void
}

export function connectWebSocketClient(
  url: string,
  createSocket: (url: string) => SocketLike = (u) => new WebSocket(u)
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
    let frame: unknown
    try {
      frame = JSON.parse(String(message.data))
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) return
    const f = frame as {
      type?: unknown
      id?: unknown
      envelope?: unknown
      name?: unknown
      payload?: unknown
    }
    if (f.type === 'response' && typeof f.id === 'number') {
      const entry = pending.get(f.id)
      pending.delete(f.id)
      entry?.resolve(f.envelope)
    } else if (f.type === 'event' && isEventName(f.name)) {
      const payload = parseEvent(f.name, f.payload)
      if (payload)
        for (const listener of listeners.get(f.name) ?? [])
          (listener as (p: typeof payload) => void)(payload)
    }
  })
  socket.addEventListener('close', () => {
    closedReason =
      'the connection to the lab host was closed; reload the page once the host is running again'
    for (const entry of pending.values())
      entry.reject(new LabRequestError('disconnected', closedReason))
    pending.clear()
  })

  const client: WsLabClient = {
    request: (name, input) =>
      new Promise((resolve, reject) => {
        if (closedReason) return reject(new LabRequestError('disconnected', closedReason))
        const id = nextId++
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
        socket.send(JSON.stringify({ type: 'request', id, name, input }))
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

/** The API address of the host that served this page. */
export function apiUrlFor(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`
}
