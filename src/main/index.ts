import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  session,
  shell,
  type IpcMainInvokeEvent
} from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  requestChannel,
  requestNames,
  eventChannel,
  type EventName,
  type EventPayload
} from '../shared/contract'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'
import { dispatch } from '../services/lab-service'
import { createLab, type Lab } from '../services/lab'
import { engineOptionsFromEnv } from '../services/engine-options'
import { SESSION_EXTENSION } from '../shared/session'
import { datasetsDir, rendererDir, trainingWorkerPath } from '../services/paths'
import { labVersions } from '../services/versions'

// The Electron host: one locked-down window, the lab API over IPC, training in a worker.
// Everything here is wiring; the behaviour lives in the Electron-free services.

const rendererEntry = pathToFileURL(join(rendererDir(), 'index.html')).href

function broadcast<K extends EventName>(name: K, payload: EventPayload<K>): void {
  for (const window of BrowserWindow.getAllWindows())
    window.webContents.send(eventChannel(name), payload)
}

/** Only our own page may call the API (the renderer is treated as untrusted input anyway). */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  return (
    url === rendererEntry ||
    (process.env['ELECTRON_RENDERER_URL'] !== undefined &&
      url.startsWith(process.env['ELECTRON_RENDERER_URL']))
  )
}

const sessionFilters = [
  { name: 'Autoencoder Lab session', extensions: [SESSION_EXTENSION.slice(1)] }
]

/** Native open and save dialogs; the renderer only ever sees a token for the chosen file. */
async function pickPath(mode: 'open' | 'save', suggestedName?: string): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  if (mode === 'open') {
    const options = { properties: ['openFile' as const], filters: sessionFilters }
    const result = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  }
  const options = {
    defaultPath: join(workspaceDir(), `${suggestedName ?? 'session'}${SESSION_EXTENSION}`),
    filters: sessionFilters
  }
  const result = window
    ? await dialog.showSaveDialog(window, options)
    : await dialog.showSaveDialog(options)
  return result.canceled || !result.filePath ? null : result.filePath
}

function workspaceDir(): string {
  return process.env['LAB_WORKSPACE'] ?? join(app.getPath('documents'), 'Autoencoder Lab')
}

/** File menu: the renderer carries out each command (it holds the view and the unsaved state). */
function setupMenu(lab: Lab): void {
  const send = (
    command: EventPayload<'menuCommand'>['command'],
    extra: { token?: string; name?: string } = {}
  ): void => broadcast('menuCommand', { command, ...extra })
  const recent = async (): Promise<Electron.MenuItemConstructorOptions[]> =>
    (await lab.sessions.list())
      .slice(0, 8)
      .map((s) => ({ label: s.name, click: () => send('open', { name: s.name }) }))
  const build = async (): Promise<void> => {
    const template: Electron.MenuItemConstructorOptions[] = [
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: () => send('new') },
          {
            label: 'Open…',
            accelerator: 'CmdOrCtrl+O',
            click: async () => {
              const path = await pickPath('open')
              if (path) send('openFile', { token: lab.sessions.grant(path), name: path })
            }
          },
          { label: 'Open Recent', submenu: await recent() },
          { type: 'separator' },
          { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => send('save') },
          { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => send('saveAs') },
          { type: 'separator' },
          process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' }
        ]
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' }
    ]
    Menu.setApplicationMenu(Menu.buildFromTemplate(template))
  }
  void build()
}

function setupApi(lab: Lab): void {
  const handlers = lab.handlers
  for (const name of requestNames) {
    ipcMain.handle(requestChannel(name), (event, input: unknown) => {
      if (!fromOurPage(event))
        return {
          ok: false,
          error: { code: 'invalid-request', message: 'request from an unknown page' }
        }
      return dispatch(handlers, name, input)
    })
  }
}

function setupSecurity(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
      }
    })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false)
  )
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url)
      return { action: 'deny' }
    })
  })
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Autoencoder Lab',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true
    }
  })
  window.once('ready-to-show', () => window.show())
  if (process.env['ELECTRON_RENDERER_URL'])
    void window.loadURL(process.env['ELECTRON_RENDERER_URL'])
  else void window.loadURL(rendererEntry)
  return window
}

async function onReady(): Promise<void> {
  const engine = engineOptionsFromEnv()
  for (const warning of engine.warnings) console.warn(`Autoencoder Lab: ${warning}`)
  const lab = createLab({
    host: 'electron',
    preferredBackend: engine.preferredBackend,
    threads: engine.threads,
    datasetsDir: datasetsDir(),
    workerPath: trainingWorkerPath(),
    workspace: workspaceDir(),
    emit: broadcast,
    versions: labVersions(),
    pickPath
  })
  setupSecurity()
  setupApi(lab)
  setupMenu(lab)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  app.on('before-quit', () => void lab.close())
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
void app.whenReady().then(onReady)
