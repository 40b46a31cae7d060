import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { SESSION_EXTENSION, type Session } from '../shared/session'
import { RECOVERY_FOLDER } from './paths'
import { SessionFileError, readSession, writeSession } from './session-file'

// The recovery folder (<workspace>/.recovery): one file per open session (a browser tab, a
// window) holding only that session's unsaved runs. A file belongs to this lab while its session
// is open; afterwards (the tab closed, the lab was killed) it is an orphan, offered for recovery.
// An orphan that cannot be read is renamed `<file>.damaged` (kept, never deleted, and no longer
// offered) and the user is told.

/** Temporary files of saves interrupted by a crash: `<file>.<8 hex>.tmp`. */
const TEMPORARY = /\.aelab\.[0-9a-f]{8}\.tmp$/

export class RecoveryFiles {
  readonly dir: string

  /**
   * `instance` tells this lab's files from those of earlier runs of the lab; `report` tells the
   * user about a file that could not be read.
   */
  constructor(
    workspace: string,
    private readonly instance: string,
    private readonly report: (message: string) => void = () => undefined
  ) {
    this.dir = join(workspace, RECOVERY_FOLDER)
  }

  fileOf(client: string): string {
    return join(this.dir, `${this.instance}-${client}${SESSION_EXTENSION}`)
  }

  async write(client: string, session: Session): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    await writeSession(this.fileOf(client), session)
  }

  async remove(client: string): Promise<void> {
    await unlink(this.fileOf(client)).catch(() => undefined)
  }

  /** Recovery files of sessions no longer open (any of an earlier lab), readable ones only. */
  async orphans(
    open: Iterable<string>
  ): Promise<{ path: string; savedAt: string; session: Session }[]> {
    const mine = new Set([...open].map((client) => this.fileOf(client)))
    const names = await readdir(this.dir).catch(() => [] as string[])
    const found = await Promise.all(
      names
        .filter((n) => n.endsWith(SESSION_EXTENSION))
        .map((n) => join(this.dir, n))
        .filter((path) => !mine.has(path))
        .map(async (path) => {
          const name = `${RECOVERY_FOLDER}/${basename(path)}`
          try {
            const info = await stat(path)
            const session = await readSession(path, name)
            return { path, savedAt: info.mtime.toISOString(), session }
          } catch (error) {
            if (error instanceof SessionFileError) await this.setAside(path, name, error)
            return null
          }
        })
    )
    return found.filter((f) => f !== null).sort((a, b) => a.savedAt.localeCompare(b.savedAt))
  }

  /** Renames an unreadable file out of the way (so it is not offered again) and says so. */
  private async setAside(path: string, name: string, error: SessionFileError): Promise<void> {
    const reason = error.message.startsWith(`${name}: `)
      ? error.message.slice(name.length + 2)
      : error.message
    const kept = await rename(path, `${path}${DAMAGED}`).then(
      () => `It is kept as ${name}${DAMAGED} in the workspace.`,
      // Still there under its name: it will be reported again, not lost.
      () => `It is left as ${name} in the workspace.`
    )
    this.report(
      `A recovery file could not be read (${reason}): its unsaved runs cannot be recovered. ${kept}`
    )
  }
}

/** The suffix of a recovery file that could not be read, set aside. */
const DAMAGED = '.damaged'

/**
 * Deletes the temporary files that saves killed midway left in `folders` (older than
 * `olderThanMs`: a save still being written by another lab keeps its file fresh).
 */
export async function removeStaleTemporaries(
  folders: readonly string[],
  olderThanMs = 60_000
): Promise<number> {
  let removed = 0
  for (const folder of folders) {
    const names = await readdir(folder).catch(() => [] as string[])
    for (const name of names.filter((n) => TEMPORARY.test(n))) {
      const path = join(folder, name)
      const info = await stat(path).catch(() => null)
      if (!info?.isFile() || Date.now() - info.mtimeMs < olderThanMs) continue
      await unlink(path).then(
        () => removed++,
        () => undefined
      )
    }
  }
  return removed
}
