import { app, BrowserWindow, dialog, Menu } from 'electron'
import { basename, join } from 'node:path'
import type { EventPayload } from '../shared/contract'
import { SESSION_EXTENSION } from '../shared/session'
import type { Lab } from '../services/lab'

// The File menu and the native open/save dialogs. The renderer carries out each command (it holds
// the view and the unsaved state); a file chosen here reaches it as a token and a display name,
// never as a path.

export type SendMenuCommand = (payload: EventPayload<'menuCommand'>) => void

const sessionFilters = [
  { name: 'Autoencoder Lab session', extensions: [SESSION_EXTENSION.slice(1)] }
]

/** A session file's name as the user sees it (no folder, no extension). */
export const displayName = (path: string): string => basename(path, SESSION_EXTENSION)

/** Native open and save dialogs; the chosen file also goes to the OS's recent documents. */
export function createPicker(
  workspace: string
): (mode: 'open' | 'save', suggestedName?: string) => Promise<string | null> {
  return async (mode, suggestedName) => {
    const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
    let path: string | null
    if (mode === 'open') {
      const options = { properties: ['openFile' as const], filters: sessionFilters }
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options)
      path = result.canceled ? null : (result.filePaths[0] ?? null)
    } else {
      const options = {
        defaultPath: join(workspace, `${suggestedName ?? 'session'}${SESSION_EXTENSION}`),
        filters: sessionFilters
      }
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options)
      path = result.canceled || !result.filePath ? null : result.filePath
    }
    if (path) app.addRecentDocument(path)
    return path
  }
}

/** Files the importer reads (a folder is chosen with the 'folder' mode). */
const importFilters = [
  { name: 'Data set files', extensions: ['csv', 'npy', 'npz', 'idx3-ubyte', 'ubyte'] },
  { name: 'All files', extensions: ['*'] }
]

/** A native dialog choosing a folder of class folders, or an IDX, CSV or NumPy file, to import. */
export async function pickImportPath(mode: 'folder' | 'file'): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  const options: Electron.OpenDialogOptions =
    mode === 'folder'
      ? { title: 'Import a folder of class folders', properties: ['openDirectory'] }
      : { title: 'Import a data set file', properties: ['openFile'], filters: importFilters }
  const result = window
    ? await dialog.showOpenDialog(window, options)
    : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

export function setupMenu(
  lab: Lab,
  pickPath: ReturnType<typeof createPicker>,
  send: SendMenuCommand
): void {
  const importFrom = async (mode: 'folder' | 'file'): Promise<void> => {
    const path = await pickImportPath(mode)
    if (!path) return
    const { source, name } = lab.imports.grant(path)
    send({ command: 'importData', token: source.token, name })
  }
  const recent = async (): Promise<Electron.MenuItemConstructorOptions[]> =>
    (await lab.sessions.list())
      .slice(0, 8)
      .map((s) => ({ label: s.name, click: () => send({ command: 'open', name: s.name }) }))
  const build = async (): Promise<void> => {
    const template: Electron.MenuItemConstructorOptions[] = [
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          {
            label: 'New Session',
            accelerator: 'CmdOrCtrl+N',
            click: () => send({ command: 'new' })
          },
          {
            label: 'Open…',
            accelerator: 'CmdOrCtrl+O',
            click: async () => {
              const path = await pickPath('open')
              if (path)
                send({
                  command: 'openFile',
                  token: lab.sessions.grant(path),
                  name: displayName(path)
                })
            }
          },
          { label: 'Open Recent', submenu: await recent() },
          { type: 'separator' },
          {
            label: 'Import Data Set',
            submenu: [
              { label: 'Folder of Class Folders…', click: () => importFrom('folder') },
              { label: 'IDX, CSV or NumPy File…', click: () => importFrom('file') }
            ]
          },
          { type: 'separator' },
          { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => send({ command: 'save' }) },
          {
            label: 'Save As…',
            accelerator: 'CmdOrCtrl+Shift+S',
            click: () => send({ command: 'saveAs' })
          },
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
