import {
  existsSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  readFileSync
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { createLab } from '../src/services/lab'
import type { WsLabClient } from '../src/shared/lab-client'
import { defaultLetterConfig, sessionViewSchema } from '../src/shared/schemas'
import type { EventPayload } from '../src/shared/contract'
import {
  builtRenderer,
  builtWorker,
  connect,
  datasetsDir,
  letters,
  recordEvents,
  root,
  scratchWorkspace
} from './helpers'

// Recovery per session (issue 13, items 10 and 12; issue 14, item 14): each tab's unsaved runs
// are kept apart, a save clears only what it saved, and a new tab is offered only runs that are
// in no file and in no open tab. And what the lab says about its files names no server path
// (item 6).

const view = sessionViewSchema.parse({})
const short = { ...defaultLetterConfig, epochs: 5, maxWrongPixels: null }

const hostOver = (workspace: string): Promise<BrowserHost> =>
  startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm'
  })
const tab = (host: BrowserHost): Promise<WsLabClient> =>
  connect(`${host.url.replace(/^http/, 'ws')}api`)

async function train(client: WsLabClient): Promise<string> {
  const done = recordEvents(client, 'runDone')
  const { runId } = await client.request('startRun', letters(short))
  await done.until((d) => d.runId === runId)
  done.stop()
  return runId
}

/** Waits until the lab's recovery files (as a fresh tab sees them) hold `runs` runs. */
async function recoverable(host: BrowserHost, runs: number | null): Promise<void> {
  for (;;) {
    const probe = await tab(host)
    const info = await probe.request('recoveryInfo', undefined)
    probe.close()
    if ((info?.runs ?? null) === runs) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('recovery per session', () => {
  const workspace = scratchWorkspace()
  let host: BrowserHost | null = null
  afterAll(() => host?.close())

  it("one tab's save keeps the other tab's unsaved run; a new tab is offered only unsaved runs of closed tabs", async () => {
    host = await hostOver(workspace)
    const a = await tab(host)
    const b = await tab(host)
    const saved = await train(a)
    const unsavedOfB = await train(b)
    await a.request('saveSession', {
      target: { name: 'tab a' },
      runIds: [saved],
      view,
      customGlyphs: []
    })
    const unsavedOfA = await train(a)
    // A new tab while both are open: nothing to recover (it is all in open tabs or in a file).
    const c = await tab(host)
    expect(await c.request('recoveryInfo', undefined)).toBeNull()
    // Tab A closes: its unsaved run (only that one) is offered to a new tab.
    a.close()
    await recoverable(host, 1)
    const d = await tab(host)
    const recovered = await d.request('recoverSession', undefined)
    expect(recovered.session.runs.map((r) => r.id)).toEqual([unsavedOfA])
    // The lab is killed: B's unsaved run and the run D recovered are still recoverable.
    await host.close()
    host = await hostOver(workspace)
    const e = await tab(host)
    const after = await e.request('recoverSession', undefined)
    expect(after.session.runs.map((r) => r.id).sort()).toEqual([unsavedOfA, unsavedOfB].sort())
    expect(after.session.runs.map((r) => r.id)).not.toContain(saved)
    await e.request('discardRecovery', undefined)
    expect(await (await tab(host)).request('recoveryInfo', undefined)).toBeNull()
    for (const client of [b, c, d, e]) client.close()
  })
})

describe('temporaries and failed autosaves (item 12)', () => {
  it('removes stale temporary files of killed saves at start, and only those', async () => {
    const workspace = scratchWorkspace()
    mkdirSync(join(workspace, '.recovery'))
    const old = new Date(Date.now() - 3600_000)
    const stale = [
      join(workspace, 'a.aelab.0123abcd.tmp'),
      join(workspace, '.recovery', 'autosave.aelab.89abcdef.tmp')
    ]
    for (const path of stale) {
      writeFileSync(path, 'partial')
      utimesSync(path, old, old)
    }
    const fresh = join(workspace, 'b.aelab.fedcba98.tmp')
    const other = join(workspace, 'notes.tmp')
    writeFileSync(fresh, 'being written')
    writeFileSync(other, 'not ours')
    utimesSync(other, old, old)
    const lab = createLab({
      host: 'browser',
      datasetsDir,
      workerPath: builtWorker,
      workspace,
      emit: () => undefined
    })
    try {
      expect(await lab.sessions.cleaned).toBe(2)
      for (const path of stale) expect(existsSync(path)).toBe(false)
      expect(existsSync(fresh)).toBe(true)
      expect(existsSync(other)).toBe(true)
    } finally {
      await lab.close()
    }
  })

  it('tells the user when an autosave cannot be written', async () => {
    const workspace = scratchWorkspace()
    // A file where the recovery folder should be: every autosave fails.
    writeFileSync(join(workspace, '.recovery'), 'in the way')
    const failures: EventPayload<'autosaveFailed'>[] = []
    let finished: (runId: string) => void = () => undefined
    const lab = createLab({
      host: 'browser',
      datasetsDir,
      workerPath: builtWorker,
      workspace,
      preferredBackend: 'wasm',
      emit: (name, payload) => {
        if (name === 'autosaveFailed') failures.push(payload as EventPayload<'autosaveFailed'>)
        if (name === 'runDone') finished((payload as { runId: string }).runId)
      }
    })
    try {
      const done = new Promise<string>((resolve) => (finished = resolve))
      await lab.handlers.startRun(letters(short))
      await done
      await lab.sessions.autosave()
      expect(failures.length).toBeGreaterThan(0)
      expect(failures[0]!.message).toMatch(
        /^Autosave failed \(a file is in the way of its folder\): 1 unsaved run is not protected/
      )
      expect(failures[0]!.message).not.toContain(workspace)
    } finally {
      await lab.close()
    }
  })
})

describe('names, not server paths (item 6)', () => {
  const workspace = scratchWorkspace()
  const lab = createLab({
    host: 'browser',
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm',
    emit: () => undefined
  })
  afterAll(() => lab.close())

  it('replies and refuses with names relative to the workspace, and never follows a link out', async () => {
    const h = lab.handlers
    const saved = await h.saveSession({
      target: { name: 'mine' },
      runIds: [],
      view,
      customGlyphs: []
    })
    expect(saved).toEqual({ name: 'mine', path: 'mine.aelab' })
    await expect(h.openSession({ target: { name: 'missing' } })).rejects.toThrow(
      /^missing\.aelab: no such file$/
    )
    symlinkSync('/etc/passwd', join(workspace, 'passwd.aelab'))
    const refusal = await h.openSession({ target: { name: 'passwd' } }).catch((e: Error) => e)
    expect(refusal).toBeInstanceOf(Error)
    expect((refusal as Error).message).toBe(
      'passwd.aelab: a link to a file outside the workspace; the lab does not follow it'
    )
    // A link inside the workspace is followed.
    writeFileSync(
      join(workspace, 'target.aelab'),
      readFileSync(join(root, 'test/fixtures/saved-by-main.aelab'))
    )
    symlinkSync(join(workspace, 'target.aelab'), join(workspace, 'inside.aelab'))
    const opened = await h.openSession({ target: { name: 'inside' } })
    expect(opened.session.runs).toHaveLength(2)
    mkdirSync(join(workspace, 'folder.aelab'))
    await expect(h.openSession({ target: { name: 'folder' } })).rejects.toThrow(
      /^folder\.aelab: a folder, not a session file$/
    )
    expect(readdirSync(workspace)).toContain('mine.aelab')
  })
})

describe('a damaged recovery file', () => {
  it('is set aside, not deleted, and the user is told; the other files are still offered', async () => {
    const workspace = scratchWorkspace()
    let finished: (runId: string) => void = () => undefined
    const first = createLab({
      host: 'browser',
      datasetsDir,
      workerPath: builtWorker,
      workspace,
      preferredBackend: 'wasm',
      emit: (name, payload) => {
        if (name === 'runDone') finished((payload as { runId: string }).runId)
      }
    })
    try {
      for (const client of ['tab0', 'tab1']) {
        const done = new Promise<string>((resolve) => (finished = resolve))
        await first.handlersFor(client).startRun(letters(short))
        await done
      }
      await first.sessions.autosave()
    } finally {
      // As if the lab was killed: both tabs' unsaved runs are in recovery files.
      await first.close()
    }
    const folder = join(workspace, '.recovery')
    const files = readdirSync(folder).sort()
    expect(files).toHaveLength(2)
    // One of them is cut short (a disk that filled up, a copy that broke off).
    const damaged = join(folder, files[1]!)
    const bytes = readFileSync(damaged).subarray(0, 2000)
    writeFileSync(damaged, bytes)

    const messages: string[] = []
    const second = createLab({
      host: 'browser',
      datasetsDir,
      workerPath: builtWorker,
      workspace,
      preferredBackend: 'wasm',
      emit: (name, payload) => {
        if (name === 'autosaveFailed')
          messages.push((payload as EventPayload<'autosaveFailed'>).message)
      }
    })
    try {
      expect(await second.handlersFor('tab0').recoveryInfo(undefined)).toMatchObject({ runs: 1 })
      const aside = `${files[1]!}.damaged`
      expect(messages).toEqual([
        expect.stringMatching(
          new RegExp(
            `^A recovery file could not be read \\(.+\\): its unsaved runs cannot be recovered\\. ` +
              `It is kept as \\.recovery/${aside.replace(/\./g, '\\.')} in the workspace\\.$`
          )
        )
      ])
      expect(messages[0]).not.toContain(workspace)
      expect(readdirSync(folder).sort()).toEqual([files[0], aside])
      expect(readFileSync(join(folder, aside))).toEqual(bytes)
      // Once aside it is not reported again, and the readable file is still recovered.
      const recovered = await second.handlersFor('tab0').recoverSession(undefined)
      expect(recovered.session.runs).toHaveLength(1)
      expect(messages).toHaveLength(1)
      expect(existsSync(join(folder, aside))).toBe(true)
    } finally {
      await second.close()
    }
  })
})
