import { mkdir, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { SESSION_EXTENSION, type Session } from '../shared/session'
import { RECOVERY_FOLDER } from './paths'
import { readSession, writeSession } from './session-file'

// The recovery folder (<workspace>/.recovery): one file per open session (a browser tab, a
// window) holding only that session's unsaved runs. A file belongs to this lab while its session
// is open; afterwards (the tab closed, the lab was killed) it is an orphan, offered for recovery.

/** Temporary files of saves interrupted by a crash: `<file>.<8 hex>.tmp`. */
const TEMPORARY = /\.aelab\.[0-9a-f]{8}\.tmp$/

export class RecoveryFiles {
  readonly dir: string

  /** `instance` tells this lab's files from those of earlier runs of the lab. */
  constructor(
    workspace: string,
    private readonly instance: string
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
          try {
            const info = await stat(path)
            return { path, savedAt: info.mtime.toISOString(), session: await readSession(path) }
          } catch {
            return null
          }
        })
    )
    return found.filter((f) => f !== null).sort((a, b) => a.savedAt.localeCompare(b.savedAt))
  }
}

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
