import { app, protocol, session, shell, type IpcMainInvokeEvent } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'
import { APP_ORIGIN, APP_SCHEME, createAppProtocolHandler } from './app-protocol'
import { allowedExternalUrl } from './external-links'

// The main process's guards around the renderer: its page comes from app://lab/ only, it gets
// no permission (asked for or checked), it cannot navigate or open windows, and the only links
// it may hand to the user's browser are https pages of documentation hosts.

/** The dev server's URL when run by `electron-vite dev`, else none. */
const devServerUrl = (): string | undefined => process.env['ELECTRON_RENDERER_URL']

/** Only our own page may call the API (the renderer is treated as untrusted input anyway). */
export function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  const dev = devServerUrl()
  return url.startsWith(`${APP_ORIGIN}/`) || (dev !== undefined && url.startsWith(dev))
}

export function setupSecurity(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir))
  // The app:// handler sets the policy itself; this covers the dev server's pages.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
      }
    })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false)
  )
  session.defaultSession.setPermissionCheckHandler(() => false)
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      const allowed = allowedExternalUrl(url)
      if (allowed) void shell.openExternal(allowed)
      return { action: 'deny' }
    })
  })
}
