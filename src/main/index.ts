import { app, BrowserWindow, ipcMain, protocol } from 'electron'
import {
  requestChannel,
  requestNames,
  eventChannel,
  type EventName,
  type EventPayload
} from '../shared/contract'
import { dispatch } from '../services/lab-service'
import { createLab, type Lab } from '../services/lab'
import { printReportPdf } from './report-pdf'
import { engineOptionsFromEnv } from '../services/engine-options'
import { appPaths, type AppPaths } from '../services/paths'
import { labVersions } from '../services/versions'
import { APP_ENTRY, APP_SCHEME_PRIVILEGES } from './app-protocol'
import { fromOurPage, setupSecurity } from './security'
import { PageSessions } from './page-sessions'
import { createPicker, displayName, pickImportPath, setupMenu } from './menu'
import {
  forwardedSessionFiles,
  OpenFileQueue,
  sessionFilesFromArgv,
  type ForwardedFiles
} from './os-files'

// The Electron host: one locked-down window, the lab API over IPC, training in a worker.
// Everything here is wiring; the behaviour lives in the Electron-free services.

function broadcast<K extends EventName>(name: K, payload: EventPayload<K>): void {
  for (const window of BrowserWindow.getAllWindows())
    window.webContents.send(eventChannel(name), payload)
}

function setupApi(pages: PageSessions): void {
  for (const name of requestNames) {
    ipcMain.handle(requestChannel(name), (event, input: unknown) => {
      if (!fromOurPage(event))
        return {
          ok: false,
          error: { code: 'invalid-request', message: 'request from an unknown page' }
        }
      return dispatch(pages.handlersOf(event.sender), name, input)
    })
  }
}

/** Session files from the OS (argv, a second instance, macOS's open-file), held until the page is ready. */
const osFiles = new OpenFileQueue()
let running: { lab: Lab; paths: AppPaths; pages: PageSessions } | null = null

function createWindow({ lab, paths, pages }: NonNullable<typeof running>): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Autoencoder Lab',
    show: false,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true
    }
  })
  window.once('ready-to-show', () => window.show())
  const contents = window.webContents
  // A reload or a crashed renderer ends the page's session: its unsaved runs are offered again.
  contents.on('render-process-gone', () => pages.end(contents))
  // A file is handed to the page once it has loaded (and subscribed to menu commands).
  contents.on('did-start-loading', () => {
    pages.end(contents)
    osFiles.notReady()
  })
  window.webContents.on('did-finish-load', () =>
    osFiles.ready((path) => {
      if (window.isDestroyed()) return
      app.addRecentDocument(path)
      window.webContents.send(eventChannel('menuCommand'), {
        command: 'openFile',
        token: lab.sessions.grant(path),
        name: displayName(path)
      } satisfies EventPayload<'menuCommand'>)
    })
  )
  window.on('closed', () => {
    pages.end(contents)
    osFiles.notReady()
  })
  void window.loadURL(process.env['ELECTRON_RENDERER_URL'] ?? APP_ENTRY)
  return window
}

/** Shows the window for a file from the OS, opening one if every window was closed (macOS). */
function bringForward(): void {
  if (!running) return
  const window = BrowserWindow.getAllWindows()[0] ?? createWindow(running)
  if (window.isMinimized()) window.restore()
  window.focus()
}

async function onReady(): Promise<void> {
  const paths = appPaths(
    app.isPackaged ? { packaged: true, resourcesPath: process.resourcesPath } : { packaged: false },
    { documentsDir: app.getPath('documents'), env: process.env }
  )
  const engine = engineOptionsFromEnv()
  for (const warning of engine.warnings) console.warn(`Autoencoder Lab: ${warning}`)
  const pickPath = createPicker(paths.workspace)
  const lab = createLab({
    host: 'electron',
    preferredBackend: engine.preferredBackend,
    threads: engine.threads,
    datasetsDir: paths.datasetsDir,
    workerPath: paths.trainingWorker,
    workspace: paths.workspace,
    emit: broadcast,
    versions: labVersions(),
    pickPath,
    pickImportPath,
    printPdf: printReportPdf
  })
  setupSecurity(paths.rendererDir)
  const pages = new PageSessions(lab)
  setupApi(pages)
  setupMenu(lab, pickPath, (payload) => broadcast('menuCommand', payload))
  running = { lab, paths, pages }
  createWindow(running)
  app.on('activate', () => {
    if (running && BrowserWindow.getAllWindows().length === 0) createWindow(running)
  })
  app.on('before-quit', () => void lab.close())
}

// Must precede 'ready': app:// is a standard, secure origin of its own (see app-protocol.ts).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])

// One instance per user: a second one (a session file double-clicked while the lab runs) hands its
// files to this one and quits, so two instances never share (and delete) one recovery file.
const startupFiles = sessionFilesFromArgv(process.argv, process.cwd())
if (!app.requestSingleInstanceLock({ files: startupFiles } satisfies ForwardedFiles)) {
  app.quit()
} else {
  for (const path of startupFiles) osFiles.push(path)
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    for (const path of forwardedSessionFiles(argv, workingDirectory, additionalData))
      osFiles.push(path)
    bringForward()
  })
  // macOS hands files to the running app (or to the app it starts) with this event.
  app.on('open-file', (event, path) => {
    event.preventDefault()
    osFiles.push(path)
    bringForward()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  void app.whenReady().then(onReady)
}
