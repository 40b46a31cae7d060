import type { Lab } from '../services/lab'
import type { Handlers } from '../services/lab-service'

// One lab session per page load of a window, as the browser host has one per tab: a reload, or a
// renderer that crashed and is loaded again, starts a new session, and the old one's unsaved
// runs become recoverable (offered to the new page) instead of staying with a session no page
// shows any more.

export class PageSessions {
  private readonly pages = new Map<object, { client: string; handlers: Handlers }>()
  private loads = 0

  constructor(private readonly lab: Lab) {}

  /** The handlers of the page now shown by `contents` (a window's webContents). */
  handlersOf(contents: object): Handlers {
    let page = this.pages.get(contents)
    if (!page) {
      const client = `window${(this.loads++).toString(36)}`
      page = { client, handlers: this.lab.handlersFor(client) }
      this.pages.set(contents, page)
    }
    return page.handlers
  }

  /** The page of `contents` is gone: it is reloading, its renderer crashed, or it closed. */
  end(contents: object): void {
    const page = this.pages.get(contents)
    if (!page) return
    this.pages.delete(contents)
    this.lab.sessions.disconnect(page.client)
  }
}
