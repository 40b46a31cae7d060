import { beforeAll, describe, expect, it, vi } from 'vitest'
import { join } from 'node:path'
import { BrowserWindow, emitApp, sender, state, type MenuItem } from './fakes/electron'
import { sessionViewSchema } from '../src/shared/schemas'
import { createElectronClient } from '../src/renderer/src/api/electron-client'
import type { LabBridge } from '../src/preload/bridge'
import { eventNames, requestChannel, requestNames } from '../src/shared/contract'
import { eventListenerName } from '../src/shared/channels'
import { defaultLetterConfig } from '../src/shared/schemas'
import { glyphDone, letters, nextEvent, recordEvents, scratchWorkspace } from './helpers'
import { writeImageFolder } from './import-files'

// The Electron main process and preload, with only Electron itself stood in (its binary cannot
// run here): real handlers, real services, the real training worker, the real renderer client.
vi.mock('electron', () => import('./fakes/electron'))

let bridge: LabBridge
const workspace = scratchWorkspace()
/** A session file named on the command line that started the app (as the OS passes it). */
const startupFile = join(workspace, 'from the file manager.aelab')

beforeAll(async () => {
  process.env['LAB_WORKSPACE'] = workspace
  process.env['LAB_WORKER_PATH'] = new URL(
    '../out/main/training-worker.js',
    import.meta.url
  ).pathname
  // The app's engine settings come from the environment (no command line in a packaged app).
  process.env['LAB_BACKEND'] = 'wasm'
  process.env['LAB_THREADS'] = '1'
  const argv = process.argv
  process.argv = ['/opt/Autoencoder Lab/autoencoder-lab', '--no-sandbox', startupFile]
  try {
    await import('../src/main/index')
  } finally {
    process.argv = argv
  }
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
    expect(String(prefs['preload'])).toMatch(/out[/\\]preload[/\\]index\.cjs$/)
    expect(BrowserWindow.windows[0]!.url).toBe('app://lab/index.html')
  })

  it('serves the built renderer from app://lab/ only, with the security headers', async () => {
    expect(state.privilegedSchemes).toEqual([
      {
        scheme: 'app',
        privileges: {
          standard: true,
          secure: true,
          supportFetchAPI: true,
          corsEnabled: true,
          codeCache: true
        }
      }
    ])
    const serve = state.protocolHandlers.get('app')!
    const page = await serve(new Request('app://lab/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('access-control-allow-origin')).toBeNull()
    const html = await page.text()
    expect(html).toContain('<div id="app"></div>')
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!
    const code = await serve(new Request(`app://lab/${script}`))
    expect([code.status, code.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8'
    ])
    // Outside the renderer's folder, another host, a missing file, a write: refused.
    for (const url of [
      'app://lab/..%2F..%2Fpackage.json',
      'app://lab/assets%5C..%5C..%5C..%5Cpackage.json',
      'app://lab/%E0%A4%A',
      'app://other/index.html'
    ])
      expect((await serve(new Request(url))).status, url).toBe(400)
    // Dot segments are resolved by the URL parser first: this names out/renderer/package.json.
    expect((await serve(new Request('app://lab/%2e%2e/%2e%2e/package.json'))).status).toBe(404)
    expect((await serve(new Request('app://lab/nope.js'))).status).toBe(404)
    expect((await serve(new Request('app://lab/assets'))).status).toBe(404)
    expect((await serve(new Request('app://lab/index.html', { method: 'POST' }))).status).toBe(405)
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
    for (const permission of ['media', 'clipboard-read', 'notifications', 'fileSystem'])
      expect(state.permissionCheckHandler!({}, permission)).toBe(false)
  })

  it('blocks navigation and new windows', () => {
    let prevented = false
    for (const listener of state.contentsListeners.get('will-navigate') ?? [])
      listener({ preventDefault: () => (prevented = true) }, 'https://example.com')
    expect(prevented).toBe(true)
    prevented = false
    for (const listener of state.contentsListeners.get('will-attach-webview') ?? [])
      listener({ preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
  })

  it('opens only https links to documentation hosts in the browser, and no window', () => {
    const tried = [
      'https://developer.mozilla.org/en-US/docs/Web/API/WebAssembly',
      'https://js.tensorflow.org/api/latest/',
      'https://example.com/docs',
      'http://github.com/',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-settings:',
      'not a url'
    ]
    for (const url of tried) expect(state.windowOpenHandler!({ url })).toEqual({ action: 'deny' })
    expect(state.openedExternal).toEqual(tried.slice(0, 2))
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
      client.request('startRun', letters({ ...defaultLetterConfig, font: 'Nope' as 'Font1' }))
    ).rejects.toThrow(/font/)
    const events = recordEvents(client, 'runDone')
    const { runId } = await client.request(
      'startRun',
      letters({ ...defaultLetterConfig, epochs: 50, maxWrongPixels: null })
    )
    const done = glyphDone(await events.until((d) => d.runId === runId))
    events.stop()
    expect(done).toMatchObject({ status: 'completed', epochs: 50 })
    expect(done.glyphs).toHaveLength(32)
  })

  it('unsubscribes event listeners', async () => {
    let calls = 0
    const off = bridge.onRunProgress(() => calls++)
    off()
    const client = createElectronClient(bridge)
    const events = recordEvents(client, 'runDone')
    const { runId } = await client.request(
      'startRun',
      letters({ ...defaultLetterConfig, epochs: 20, maxWrongPixels: null })
    )
    await events.until((d) => d.runId === runId)
    events.stop()
    expect(calls).toBe(0)
  })
})

describe('File menu and native dialogs', () => {
  const file = (): MenuItem[] => state.menu!.find((m) => m.label === 'File')!.submenu!
  it('has New, Open, Open Recent, Import Data Set, Save and Save As with their shortcuts', async () => {
    await vi.waitFor(() => expect(state.menu).not.toBeNull())
    const items = file()
      .filter((m) => m.label)
      .map((m) => [m.label, m.accelerator ?? ''])
    expect(items).toEqual([
      ['New Session', 'CmdOrCtrl+N'],
      ['Open…', 'CmdOrCtrl+O'],
      ['Open Recent', ''],
      ['Import Data Set', ''],
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
    // The reply names the file, never its absolute path (the page never holds paths).
    expect(saved.path).toBe('chosen.aelab')
    const opened = await client.request('openSession', { target: { token: picked!.token } })
    expect(opened.name).toBe('chosen')
    await expect(
      client.request('openSession', { target: { token: 'f'.repeat(32) } })
    ).rejects.toThrow(/choose the file again/)
    state.dialogAnswer = { canceled: true, filePaths: [], filePath: undefined }
    expect(await client.request('pickSessionPath', { mode: 'open' })).toBeNull()
  })
  it("Open… hands the page a token and the file's name, never its path", async () => {
    const client = createElectronClient(bridge)
    const path = join(workspace, 'elsewhere', 'chosen.aelab')
    state.dialogAnswer = { canceled: false, filePaths: [path], filePath: path }
    const seen = nextEvent(client, 'menuCommand')
    await file().find((m) => m.label === 'Open…')!.click!()
    const command = await seen
    expect(command).toEqual({ command: 'openFile', token: expect.any(String), name: 'chosen' })
    expect(JSON.stringify(command)).not.toContain(workspace)
    expect(state.recentDocuments.at(-1)).toBe(path)
    const opened = await client.request('openSession', { target: { token: command.token! } })
    expect(opened.name).toBe('chosen')
    state.dialogAnswer = { canceled: true, filePaths: [], filePath: undefined }
  })

  it('File > Import Data Set asks for a folder natively and hands the page a token it previews with', async () => {
    const client = createElectronClient(bridge)
    const folder = join(workspace, 'elsewhere', 'shapes')
    await writeImageFolder(folder, [3, 2], { names: ['dark', 'light'] })
    state.dialogAnswer = { canceled: false, filePaths: [folder], filePath: undefined }
    const seen = nextEvent(client, 'menuCommand')
    const submenu = file().find((m) => m.label === 'Import Data Set')!.submenu!
    await submenu.find((m) => m.label === 'Folder of Class Folders…')!.click!()
    const command = await seen
    expect(command).toEqual({ command: 'importData', token: expect.any(String), name: 'shapes' })
    expect(JSON.stringify(command)).not.toContain(workspace)
    expect(state.dialogs.at(-1)).toContain('openDirectory')
    const preview = await client.request('previewImport', { source: { token: command.token! } })
    expect(preview.classes.map((c) => [c.name, c.count])).toEqual([
      ['dark', 3],
      ['light', 2]
    ])
    // The same from the dialog's button: pickImportSource.
    const picked = await client.request('pickImportSource', { mode: 'folder' })
    expect(picked).toEqual({ source: { token: expect.any(String) }, name: 'shapes' })
    state.dialogAnswer = { canceled: true, filePaths: [], filePath: undefined }
    expect(await client.request('pickImportSource', { mode: 'file' })).toBeNull()
  })
})

describe('session files from the operating system', () => {
  const window = (): BrowserWindow => BrowserWindow.windows[0]!
  const openFileCommands = (client: ReturnType<typeof createElectronClient>) =>
    recordEvents(client, 'menuCommand')

  it('holds a file given on the command line until the page has loaded, then hands over a token', async () => {
    const client = createElectronClient(bridge)
    // Requested before it exists: the file manager's file is opened when the page asks.
    const events = openFileCommands(client)
    await client.request('saveSession', {
      target: { name: 'from the file manager' },
      runIds: [],
      view: sessionViewSchema.parse({}),
      customGlyphs: []
    })
    expect(state.lockData).toEqual({ files: [startupFile] })
    window().emitContents('did-start-loading')
    window().emitContents('did-finish-load')
    const command = await events.until((c) => c.command === 'openFile')
    events.stop()
    expect(command).toEqual({
      command: 'openFile',
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'from the file manager'
    })
    expect(state.recentDocuments).toContain(startupFile)
    const opened = await client.request('openSession', { target: { token: command.token! } })
    expect(opened.name).toBe('from the file manager')
  })

  it('takes the files a second instance was started with, and brings the window forward', async () => {
    const client = createElectronClient(bridge)
    window().minimized = true
    const focused = window().focused
    const events = openFileCommands(client)
    const other = join(workspace, 'elsewhere', 'chosen.aelab')
    // The second instance's own resolution (additionalData) wins over Chromium's argv.
    emitApp('second-instance', {}, ['/opt/lab', '--flag', 'ignored.aelab'], '/home/u', {
      files: [other]
    })
    const command = await events.until((c) => c.command === 'openFile')
    expect(command.name).toBe('chosen')
    expect(window().minimized).toBe(false)
    expect(window().focused).toBe(focused + 1)
    // Data that does not validate is ignored; its argv, relative to its folder, is used.
    emitApp('second-instance', {}, ['/opt/lab', '--flag', 'x.txt', 'relative.aelab'], '/home/u', {
      files: ['relative.aelab']
    })
    const second = await events.until((c) => c.command === 'openFile' && c.name === 'relative')
    expect(state.recentDocuments.at(-1)).toBe('/home/u/relative.aelab')
    await expect(
      client.request('openSession', { target: { token: second.token! } })
    ).rejects.toThrow(/relative\.aelab/)
    events.stop()
  })

  it("takes macOS's open-file event", async () => {
    const client = createElectronClient(bridge)
    const events = openFileCommands(client)
    let prevented = false
    emitApp('open-file', { preventDefault: () => (prevented = true) }, startupFile)
    const command = await events.until((c) => c.command === 'openFile')
    events.stop()
    expect(prevented).toBe(true)
    expect(command.name).toBe('from the file manager')
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
