import { createHash, randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { traitsOf } from '../ml/kinds/catalog'
import { checkSavedNetwork } from '../ml/saved-network'
import {
  MAX_SESSION_BYTES,
  SESSION_FORMAT,
  SESSION_VERSION,
  sessionSchema,
  type Session
} from '../shared/session'

export * from '../shared/session'

// The session file (.aelab): a versioned JSON document holding runs with their configs,
// per-epoch history, results and weights (tfjs-layers artifacts). Validated on load; written
// atomically (temporary file, then rename) so a crash mid-save never damages the old file.

export class SessionFileError extends Error {}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex')

/** Deeper JSON is refused before parsing (a session file nests about a dozen levels). */
const MAX_NESTING = 200

/**
 * Reads and validates a session file; every failure is a SessionFileError naming the problem,
 * with `label` (what the user knows the file by) in place of the path. Anything but a regular
 * file is refused without reading it: a named pipe would wait for a writer forever.
 */
export async function readSession(path: string, label = path): Promise<Session> {
  let file: FileHandle
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new SessionFileError(`${label}: no such file`)
    if (code === 'EACCES' || code === 'EPERM')
      throw new SessionFileError(`${label}: cannot be read (permission denied)`)
    throw new SessionFileError(`${label}: cannot be opened (${code ?? 'unknown error'})`)
  }
  try {
    const info = await file.stat()
    if (info.isDirectory()) throw new SessionFileError(`${label}: a folder, not a session file`)
    if (!info.isFile()) throw new SessionFileError(`${label}: not a regular file (${kindOf(info)})`)
    if (info.size > MAX_SESSION_BYTES) {
      throw new SessionFileError(
        `${label}: the file is ${(info.size / 2 ** 20).toFixed(0)} MB; sessions are at most ${MAX_SESSION_BYTES / 2 ** 20} MB`
      )
    }
    return parseSession(await file.readFile('utf8'), label)
  } finally {
    await file.close()
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  return 'not a file'
}

/** Whether `text` nests arrays and objects deeper than `limit` (strings skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // Jump to the closing quote: one not preceded by an odd number of backslashes.
      let end = text.indexOf('"', i + 1)
      while (end !== -1) {
        let slashes = 0
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++
        if (slashes % 2 === 0) break
        end = text.indexOf('"', end + 1)
      }
      if (end === -1) return false
      i = end
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** Validates a session document's text; `label` names it in messages (a path or a file name). */
export function parseSession(text: string, label: string): Session {
  if (text.length > MAX_SESSION_BYTES)
    throw new SessionFileError(`${label}: the file is too large for a session`)
  // A byte order mark (some editors add one) is not part of the document.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (nestsDeeperThan(body, MAX_NESTING))
    throw new SessionFileError(
      `${label}: not a session file (nested too deeply: more than ${MAX_NESTING} levels)`
    )
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch (error) {
    // The parser's own message quotes the text, which may be anything (never echo a file).
    const at = /at position (\d+)/.exec((error as Error).message)?.[1]
    throw new SessionFileError(
      `${label}: not a session file (not valid JSON${at ? ` at character ${at}` : ''})`,
      { cause: error }
    )
  }
  if (
    typeof doc !== 'object' ||
    doc === null ||
    (doc as { format?: unknown }).format !== SESSION_FORMAT
  ) {
    throw new SessionFileError(`${label}: not an Autoencoder Lab session file`)
  }
  const version = (doc as { version?: unknown }).version
  if (typeof version === 'number' && version > SESSION_VERSION) {
    throw new SessionFileError(
      `${label}: written by a newer version of the lab (session format ${version}; this lab reads ${SESSION_VERSION})`
    )
  }
  const integrity = (doc as { integrity?: unknown }).integrity
  if (typeof integrity !== 'string') {
    // Every file of this format is written with one: without it, changes go unnoticed.
    throw new SessionFileError(
      `${label}: damaged session file: it has no checksum (the "integrity" field the lab writes)`
    )
  }
  const { integrity: _integrity, ...rest } = doc as Record<string, unknown>
  if (digest(JSON.stringify(rest)) !== integrity) {
    throw new SessionFileError(
      `${label}: damaged session file: its contents do not match the checksum written with it`
    )
  }
  const parsed = sessionSchema.safeParse(doc)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SessionFileError(
      `${label}: damaged session file: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`
    )
  }
  parsed.data.runs.forEach((run, i) => {
    const specs = traitsOf(run.experiment).networks(run.experiment)
    for (const name of ['autoencoder', 'encoder', 'decoder'] as const) {
      const spec = specs[name]
      const saved = run.networks[name]
      try {
        if (spec && !saved) throw new Error(`it has no saved ${name}`)
        if (!spec && saved) throw new Error(`a ${run.experiment.kind} run has no ${name}`)
        if (spec && saved) checkSavedNetwork(saved, spec, name)
      } catch (error) {
        throw new SessionFileError(
          `${label}: damaged session file: runs.${i}: ${(error as Error).message}`
        )
      }
    }
  })
  return parsed.data
}

/** Writes a session atomically: to a temporary file in the same folder, synced, then renamed. */
export async function writeSession(path: string, session: Session): Promise<void> {
  const { integrity: _old, ...checked } = sessionSchema.parse(session)
  const body = JSON.stringify(checked)
  const text = `${body.slice(0, -1)},"integrity":"${digest(body)}"}`
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`
  const file = await open(temporary, 'w')
  try {
    await file.writeFile(text)
    await file.sync()
  } catch (error) {
    await file.close()
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  await file.close()
  await rename(temporary, path)
}

export function newSession(name: string): Session {
  return sessionSchema.parse({
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    name,
    createdAt: new Date().toISOString(),
    runs: []
  })
}
