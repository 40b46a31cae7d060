import { readFileSync } from 'node:fs'
// A thin stand-in for the parts of Electron the main process and the preload touch, since
// Electron's binary cannot run here. It records what the code asked for and routes
// ipcRenderer.invoke to the handlers registered with ipcMain, as Electron would.

type Listener = (...args: unknown[]) => void

export const state = {
  handlers: new Map<string, (event: unknown, input: unknown) => unknown>(),
  rendererListeners: new Map<string, Set<Listener>>(),
  exposed: new Map<string, unknown>(),
  appListeners: new Map<string, Listener[]>(),
  contentsListeners: new Map<string, Listener[]>(),
  windowOpenHandler: null as null | ((details: { url: string }) => { action: string }),
  headersHook: null as
    | null
    | ((
        details: { responseHeaders?: Record<string, string[]> },
        cb: (r: { responseHeaders: Record<string, string[]> }) => void
      ) => void),
  permissionHandler: null as
    null | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
  permissionCheckHandler: null as null | ((wc: unknown, permission: string) => boolean),
  privilegedSchemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
  protocolHandlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  /** What requestSingleInstanceLock answers, and the data it was given. */
  singleInstanceLock: true,
  lockData: undefined as unknown,
  quitCalls: 0,
  recentDocuments: [] as string[],
  openedExternal: [] as string[],
  menu: null as null | MenuItem[],
  /** What the next native dialog answers. */
  dialogAnswer: {
    canceled: true,
    filePaths: [] as string[],
    filePath: undefined as string | undefined
  },
  dialogs: [] as string[],
  printed: [] as { file: string; options: Record<string, unknown> }[],
  loadedFiles: [] as { path: string; text: string }[],
  /** Each session partition's request filter (session.fromPartition(...).webRequest). */
  beforeRequest: new Map<
    string,
    (details: { url: string }, cb: (r: { cancel: boolean }) => void) => void
  >()
}

export interface MenuItem {
  label?: string
  role?: string
  accelerator?: string
  type?: string
  click?: () => unknown
  submenu?: MenuItem[]
}

export const Menu = {
  buildFromTemplate: (template: MenuItem[]): MenuItem[] => template,
  setApplicationMenu: (menu: MenuItem[]): void => void (state.menu = menu)
}

export const dialog = {
  showOpenDialog: async (...args: unknown[]) => {
    state.dialogs.push(`open ${JSON.stringify(args.at(-1))}`)
    return state.dialogAnswer
  },
  showSaveDialog: async (...args: unknown[]) => {
    state.dialogs.push(`save ${JSON.stringify(args.at(-1))}`)
    return state.dialogAnswer
  }
}

export class BrowserWindow {
  static windows: BrowserWindow[] = []
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.windows
  }
  static getFocusedWindow(): BrowserWindow | null {
    return BrowserWindow.windows[0] ?? null
  }
  url = ''
  minimized = false
  focused = 0
  readonly contentsListeners = new Map<string, Listener[]>()
  readonly webContents = {
    send: (channel: string, payload: unknown): void => {
      for (const listener of state.rendererListeners.get(channel) ?? []) listener({}, payload)
    },
    on: (event: string, fn: Listener): void =>
      void this.contentsListeners.set(event, [...(this.contentsListeners.get(event) ?? []), fn]),
    /** Electron's own printing cannot run here: records the call and answers a stand-in PDF. */
    printToPDF: async (options: Record<string, unknown>): Promise<Buffer> => {
      state.printed.push({ file: this.file, options })
      return Buffer.from('%PDF-1.4 stand-in')
    }
  }
  file = ''
  destroyed = false
  loadFile(path: string): Promise<void> {
    this.file = path
    state.loadedFiles.push({ path, text: readFileSync(path, 'utf8') })
    return Promise.resolve()
  }
  destroy(): void {
    this.destroyed = true
  }
  /** Plays Electron's webContents event `event` (e.g. the page finished loading). */
  emitContents(event: string): void {
    for (const listener of this.contentsListeners.get(event) ?? []) listener({})
  }
  isDestroyed(): boolean {
    return false
  }
  isMinimized(): boolean {
    return this.minimized
  }
  restore(): void {
    this.minimized = false
  }
  focus(): void {
    this.focused++
  }
  on(): void {}
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    BrowserWindow.windows.push(this)
    for (const listener of state.appListeners.get('web-contents-created') ?? []) {
      listener(
        {},
        {
          on: (event: string, fn: Listener) =>
            state.contentsListeners.set(event, [...(state.contentsListeners.get(event) ?? []), fn]),
          setWindowOpenHandler: (fn: typeof state.windowOpenHandler) =>
            (state.windowOpenHandler = fn)
        }
      )
    }
  }
  once(): void {}
  loadURL(url: string): Promise<void> {
    this.url = url
    return Promise.resolve()
  }
}

export const app = {
  isPackaged: false,
  whenReady: (): Promise<void> => Promise.resolve(),
  requestSingleInstanceLock: (data?: unknown): boolean => {
    state.lockData = data
    return state.singleInstanceLock
  },
  addRecentDocument: (path: string): void => void state.recentDocuments.push(path),
  getPath: (name: string): string => `/tmp/fake-electron-${name}`,
  on: (event: string, fn: Listener): void =>
    void state.appListeners.set(event, [...(state.appListeners.get(event) ?? []), fn]),
  quit: (): void => void state.quitCalls++
}

/** Plays an app event, as Electron would emit it. */
export function emitApp(event: string, ...args: unknown[]): void {
  for (const listener of state.appListeners.get(event) ?? []) listener(...args)
}

export const protocol = {
  registerSchemesAsPrivileged: (schemes: typeof state.privilegedSchemes): void =>
    void state.privilegedSchemes.push(...schemes),
  handle: (scheme: string, fn: (request: Request) => Response | Promise<Response>): void =>
    void state.protocolHandlers.set(scheme, fn)
}

export const ipcMain = {
  handle: (channel: string, fn: (event: unknown, input: unknown) => unknown): void =>
    void state.handlers.set(channel, fn)
}

export const session = {
  fromPartition: (partition: string) => ({
    webRequest: {
      onBeforeRequest: (
        fn: (details: { url: string }, cb: (r: { cancel: boolean }) => void) => void
      ) => void state.beforeRequest.set(partition, fn)
    }
  }),
  defaultSession: {
    webRequest: { onHeadersReceived: (fn: typeof state.headersHook) => (state.headersHook = fn) },
    setPermissionRequestHandler: (fn: typeof state.permissionHandler) =>
      (state.permissionHandler = fn),
    setPermissionCheckHandler: (fn: typeof state.permissionCheckHandler) =>
      (state.permissionCheckHandler = fn)
  }
}

export const shell = { openExternal: async (url: string) => void state.openedExternal.push(url) }

export const contextBridge = {
  exposeInMainWorld: (key: string, api: unknown): void => void state.exposed.set(key, api)
}

/** The page a request comes from; tests change it to play a foreign frame. */
export const sender = {
  url: (): string => BrowserWindow.windows[0]?.url ?? '',
  contents: (): object | undefined => BrowserWindow.windows[0]?.webContents
}

export const ipcRenderer = {
  invoke: async (channel: string, input: unknown): Promise<unknown> => {
    const handler = state.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    // Electron structured-clones arguments; so does this stand-in.
    return structuredClone(
      await handler(
        { senderFrame: { url: sender.url() }, sender: sender.contents() },
        structuredClone(input)
      )
    )
  },
  on: (channel: string, fn: Listener): void => {
    const set = state.rendererListeners.get(channel) ?? new Set<Listener>()
    set.add(fn)
    state.rendererListeners.set(channel, set)
  },
  removeListener: (channel: string, fn: Listener): void =>
    void state.rendererListeners.get(channel)?.delete(fn)
}

export type IpcMainInvokeEvent = { senderFrame: { url: string } | null; sender?: object }
export type IpcRendererEvent = object
