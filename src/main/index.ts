import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron'
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
import { createHandlers, dispatch } from '../services/lab-service'
import { TrainingService } from '../services/training'
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

function setupApi(training: TrainingService): void {
  const handlers = createHandlers({
    host: 'electron',
    datasetsDir: datasetsDir(),
    training,
    versions: labVersions()
  })
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
  const training = new TrainingService({ workerPath: trainingWorkerPath(), emit: broadcast })
  setupSecurity()
  setupApi(training)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  app.on('before-quit', () => void training.close())
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
void app.whenReady().then(onReady)
