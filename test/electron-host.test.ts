import { beforeAll, describe, expect, it, vi } from 'vitest'
import { join } from 'node:path'
import { BrowserWindow, sender, state, type MenuItem } from './fakes/electron'
import { sessionViewSchema } from '../src/shared/schemas'
import { createElectronClient } from '../src/renderer/src/api/electron-client'
import type { LabBridge } from '../src/preload/bridge'
import { eventNames, requestChannel, requestNames } from '../src/shared/contract'
import { eventListenerName } from '../src/shared/channels'
import { defaultLetterConfig } from '../src/shared/schemas'
import { nextEvent, recordEvents, scratchWorkspace } from './helpers'

// The Electron main process and preload, with only Electron itself stood in (its binary cannot
// run here): real handlers, real services, the real training worker, the real renderer client.
vi.mock('electron', () => import('./fakes/electron'))

let bridge: LabBridge
const workspace = scratchWorkspace()

beforeAll(async () => {
  process.env['LAB_WORKER_PATH'] = new URL(
    '../out/main/training-worker.js',
    import.meta.url
  ).pathname
  // The app's engine settings come from the environment (no command line in a packaged app).
  process.env['LAB_BACKEND'] = 'wasm'
  process.env['LAB_THREADS'] = '1'
  await import('../src/main/index')
  await import('../src/preload/index')
  // onReady runs after whenReady resolves.
  await vi.waitFor(() => expect(BrowserWindow.windows).toHaveLength(1))
  bridge = state.exposed.get('lab') as LabBridge
})

describe('Electron main process', () => {
  it('opens one locked-down window on the built renderer', () => {
    const prefs = BrowserWindow.windows[0]!.options.webPreferences
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true
    })
    expect(String(prefs['preload'])).toMatch(/preload[/\\]index\.cjs$/)
    expect(BrowserWindow.windows[0]!.url).toMatch(/^file:.*out\/renderer\/index\.html$/)
  })

  it('registers one IPC handler per request of the contract', () => {
    expect([...state.handlers.keys()].sort()).toEqual(requestNames.map(requestChannel).sort())
  })

  it('adds the Content-Security-Policy to every response and denies permissions', () => {
    let headers: Record<string, string[]> = {}
    state.headersHook!({ responseHeaders: { a: ['b'] } }, (r) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']?.[0]).toMatch(
      /^default-src 'self'; script-src 'self'/
    )
    let granted = true
    state.permissionHandler!({}, 'camera', (g) => (granted = g))
    expect(granted).toBe(false)
  })

  it('blocks navigation and new windows', () => {
    let prevented = false
    for (const listener of state.contentsListeners.get('will-navigate') ?? [])
      listener({ preventDefault: () => (prevented = true) }, 'https://example.com')
    expect(prevented).toBe(true)
    expect(state.windowOpenHandler!({ url: 'https://example.com/docs' })).toEqual({
      action: 'deny'
    })
    expect(state.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(state.openedExternal).toEqual(['https://example.com/docs'])
  })

  it('ignores requests from frames other than the lab page', async () => {
    const original = sender.url
    sender.url = () => 'https://evil.example/'
    try {
      const reply = await bridge.listFonts(undefined)
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    } finally {
      sender.url = original
    }
  })
})

describe('preload bridge', () => {
  it('exposes named functions only, never ipcRenderer', () => {
    expect(Object.keys(bridge).sort()).toEqual(
      [...requestNames, ...eventNames.map(eventListenerName)].sort()
    )
    expect(Object.values(bridge).every((f) => typeof f === 'function')).toBe(true)
  })

  it('carries the typed API end to end: renderer client -> preload -> main -> worker', async () => {
    const client = createElectronClient(bridge)
    const info = await client.request('getInfo', undefined)
    expect(info).toMatchObject({ host: 'electron', backend: 'wasm' })
    // LAB_THREADS=1: the VAE's worker too runs one thread, so the note has no VAE threads.
    expect(info.backendNote).toBe("wasm (1 thread); training on the lab's WebAssembly kernels")
    await expect(
      client.request('startTraining', { ...defaultLetterConfig, font: 'Nope' as 'Font1' })
    ).rejects.toThrow(/font/)
    const events = recordEvents(client, 'trainingDone')
    const { runId } = await client.request('startTraining', {
      ...defaultLetterConfig,
      epochs: 50,
      maxWrongPixels: null
    })
    const done = await events.until((d) => d.runId === runId)
    events.stop()
    expect(done).toMatchObject({ status: 'completed', epochs: 50 })
    expect(done.glyphs).toHaveLength(32)
  })

  it('unsubscribes event listeners', async () => {
    let calls = 0
    const off = bridge.onTrainingProgress(() => calls++)
    off()
    const client = createElectronClient(bridge)
    const events = recordEvents(client, 'trainingDone')
    const { runId } = await client.request('startTraining', {
      ...defaultLetterConfig,
      epochs: 20,
      maxWrongPixels: null
    })
    await events.until((d) => d.runId === runId)
    events.stop()
    expect(calls).toBe(0)
  })
})

describe('File menu and native dialogs', () => {
  const file = (): MenuItem[] => state.menu!.find((m) => m.label === 'File')!.submenu!
  it('has New, Open, Open Recent, Save and Save As with their shortcuts', async () => {
    await vi.waitFor(() => expect(state.menu).not.toBeNull())
    const items = file()
      .filter((m) => m.label)
      .map((m) => [m.label, m.accelerator ?? ''])
    expect(items).toEqual([
      ['New Session', 'CmdOrCtrl+N'],
      ['Open…', 'CmdOrCtrl+O'],
      ['Open Recent', ''],
      ['Save', 'CmdOrCtrl+S'],
      ['Save As…', 'CmdOrCtrl+Shift+S']
    ])
  })

  it('asks the page to carry out menu commands', async () => {
    const client = createElectronClient(bridge)
    const seen = nextEvent(client, 'menuCommand')
    file().find((m) => m.label === 'Save')!.click!()
    expect(await seen).toEqual({ command: 'save' })
  })

  it('gives the page a token, never a path, for a file chosen in a dialog, and saves and opens with it', async () => {
    const client = createElectronClient(bridge)
    const path = join(workspace, 'elsewhere', 'chosen.aelab')
    state.dialogAnswer = { canceled: false, filePaths: [path], filePath: path }
    const picked = await client.request('pickSessionPath', {
      mode: 'save',
      suggestedName: 'chosen'
    })
    expect(picked?.name).toBe('chosen')
    expect(picked?.token).toMatch(/^[0-9a-f]{32}$/)
    expect(JSON.stringify(picked)).not.toContain(workspace)
    const view = sessionViewSchema.parse({})
    const saved = await client.request('saveSession', {
      target: { token: picked!.token },
      runIds: [],
      view,
      customGlyphs: []
    })
    expect(saved.path).toBe(path)
    const opened = await client.request('openSession', { target: { token: picked!.token } })
    expect(opened.name).toBe('chosen')
    await expect(
      client.request('openSession', { target: { token: 'f'.repeat(32) } })
    ).rejects.toThrow(/choose the file again/)
    state.dialogAnswer = { canceled: true, filePaths: [], filePath: undefined }
    expect(await client.request('pickSessionPath', { mode: 'open' })).toBeNull()
  })
})

describe('built preload', () => {
  it('is a self-contained CommonJS script that requires nothing but electron (sandbox rule)', async () => {
    const { readFileSync } = await import('node:fs')
    const code = readFileSync(new URL('../out/preload/index.cjs', import.meta.url), 'utf8')
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])
    expect(required.length).toBeGreaterThan(0)
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
  })
})
