import { randomBytes } from 'node:crypto'
import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises'
import { basename, join, sep } from 'node:path'
import { SESSION_EXTENSION } from '../shared/session'
import { SessionFileError } from './session-file'

// The workspace folder as the renderer sees it: session files by name, never by path. A link in
// the workspace is followed only to a file inside it, and errors name files, not server paths.

/** The workspace's session files (regular files only), newest first. */
export async function listSessions(
  workspace: string
): Promise<{ name: string; modified: string; bytes: number }[]> {
  await mkdir(workspace, { recursive: true })
  const entries = await readdir(workspace, { withFileTypes: true })
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(SESSION_EXTENSION))
      .map(async (e) => {
        const info = await stat(join(workspace, e.name))
        return {
          name: basename(e.name, SESSION_EXTENSION),
          modified: info.mtime.toISOString(),
          bytes: info.size
        }
      })
  )
  return files.sort((a, b) => b.modified.localeCompare(a.modified))
}

/** Refuses `path` (in `workspace`) when it is a link that leads out of the workspace. */
export async function refuseLinksOut(workspace: string, path: string): Promise<void> {
  const info = await lstat(path).catch(() => null)
  if (!info?.isSymbolicLink()) return
  const [target, root] = await Promise.all([realpath(path).catch(() => null), realpath(workspace)])
  if (!target || !target.startsWith(root + sep))
    throw new SessionFileError(
      `${basename(path)}: a link to a file outside the workspace; the lab does not follow it`
    )
}

/** A file system error in words, without the paths Node puts in its messages. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  const known: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the disk is read-only',
    ENOTDIR: 'a file is in the way of its folder',
    EEXIST: 'a file is in the way of its folder',
    EISDIR: 'a folder is in the way'
  }
  if (code) return known[code] ?? code
  return error instanceof SessionFileError ? error.message : 'unknown error'
}

/**
 * Files the user picked in a native dialog, by random token: the renderer gets only the token,
 * never a path.
 */
export class FileGrants {
  private readonly paths = new Map<string, string>()

  /** Records a path the user chose in a native dialog; the renderer gets only the token. */
  grant(path: string): string {
    const token = randomBytes(16).toString('hex')
    this.paths.set(token, path)
    return token
  }

  /** A renderer's target: a workspace name, or a granted token. */
  resolve(target: { name: string } | { token: string }): { name: string } | { path: string } {
    if ('name' in target) return target
    const path = this.paths.get(target.token)
    if (!path) throw new SessionFileError('that file choice has expired; choose the file again')
    return { path }
  }
}

/** A session file's path in the workspace, by name (names never hold a folder). */
export function workspacePath(workspace: string, name: string): string {
  // Names are validated by the contract (no separators); basename() is a second guard.
  return join(workspace, `${basename(name)}${SESSION_EXTENSION}`)
}

/** A workspace file to read; a link is followed only to a file inside the workspace. */
export async function workspaceFile(workspace: string, name: string): Promise<string> {
  const path = workspacePath(workspace, name)
  await refuseLinksOut(workspace, path)
  return path
}
