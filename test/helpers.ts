import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import WebSocket from 'ws'
import { connectWebSocketClient, type SocketLike, type WsLabClient } from '../src/shared/lab-client'
import type { EventName, EventPayload, LabClient } from '../src/shared/contract'
import type { LetterTrainInput } from '../src/shared/schemas'

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

/** A letters config as the letters lab starts it: an autoencoder experiment. */
export const letters = <T extends LetterTrainInput>(config: T): T & { kind: 'autoencoder' } => ({
  ...config,
  kind: 'autoencoder'
})

/** The run protocol's events of glyph runs (autoencoder, denoising). */
export type GlyphProgress = Extract<EventPayload<'runProgress'>, { points: unknown }>
export type GlyphDone = Extract<EventPayload<'runDone'>, { glyphs: unknown }>

/** A progress event of a glyph run (with its loss points and `paused`), or null. */
export const glyphProgress = (p: EventPayload<'runProgress'>): GlyphProgress | null =>
  'points' in p ? p : null

/** A `runDone` event as a glyph run's; fails the test for any other kind. */
export function glyphDone(done: EventPayload<'runDone'>): GlyphDone {
  if (!('glyphs' in done))
    throw new Error(`expected a glyph run's result, got a ${done.kind} run's`)
  return done
}

/** A fresh, empty workspace folder for a host under test. */
export const scratchWorkspace = (): string => mkdtempSync(join(tmpdir(), 'lab-workspace-'))

/**
 * Records every event of `name` from now on, so a test can start something and then wait for
 * its event without the race of subscribing after the reply.
 */
export function recordEvents<K extends EventName>(
  client: LabClient,
  name: K
): {
  until: (match: (payload: EventPayload<K>) => boolean) => Promise<EventPayload<K>>
  stop: () => void
} {
  const seen: EventPayload<K>[] = []
  const waiters: {
    match: (p: EventPayload<K>) => boolean
    resolve: (p: EventPayload<K>) => void
  }[] = []
  const off = client.on(name, (payload) => {
    seen.push(payload)
    for (const w of [...waiters]) {
      if (w.match(payload)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(payload)
      }
    }
  })
  return {
    until: (match) =>
      new Promise((resolve) => {
        const hit = seen.find(match)
        if (hit) resolve(hit)
        else waiters.push({ match, resolve })
      }),
    stop: off
  }
}

/**
 * How many positions of two float arrays differ (bitwise, NaN equal to NaN); -1 when their
 * lengths differ. For large weight vectors: a failing toEqual would print all of them.
 */
export function differing(a: ArrayLike<number>, b: ArrayLike<number> | undefined): number {
  if (!b || a.length !== b.length) return -1
  let n = 0
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++
  return n
}

/** The ids of the runs in a workspace's recovery files (every open or closed session's). */
export function recoveryRunIds(workspace: string): string[] {
  const dir = join(workspace, '.recovery')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.aelab'))
    .flatMap((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runs: { id: string }[] }
      return doc.runs.map((r) => r.id)
    })
    .sort()
}
