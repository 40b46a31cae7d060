import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import WebSocket from 'ws'
import { connectWebSocketClient, type SocketLike, type WsLabClient } from '../src/shared/lab-client'
import type { EventName, EventPayload, LabClient } from '../src/shared/contract'

export const root = resolve(import.meta.dirname, '..')
export const builtWorker = resolve(root, 'out/main/training-worker.js')
export const builtRenderer = resolve(root, 'out/renderer')
export const datasetsDir = resolve(root, 'resources/datasets')

/** The renderer's own WebSocket client, over the `ws` package (Node 20 has no global WebSocket). */
export function connect(url: string): Promise<WsLabClient> {
  const origin = new URL(url).origin.replace(/^ws/, 'http')
  return connectWebSocketClient(url, (u) => new WebSocket(u, { origin }) as unknown as SocketLike)
}

/** Resolves with the first event of `name` that satisfies `match`. */
export function nextEvent<K extends EventName>(
  client: LabClient,
  name: K,
  match: (payload: EventPayload<K>) => boolean = () => true
): Promise<EventPayload<K>> {
  return new Promise((resolvePromise) => {
    const off = client.on(name, (payload) => {
      if (!match(payload)) return
      off()
      resolvePromise(payload)
    })
  })
}

/** A fresh, empty workspace folder for a host under test. */
export const scratchWorkspace = (): string => mkdtempSync(join(tmpdir(), 'lab-workspace-'))
