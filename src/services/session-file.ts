import { createHash, randomBytes } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
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

/** Reads and validates a session file; every failure is a SessionFileError naming the problem. */
export async function readSession(path: string): Promise<Session> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new SessionFileError(`${path}: no such file`)
  }
  if (size > MAX_SESSION_BYTES) {
    throw new SessionFileError(
      `${path}: the file is ${(size / 2 ** 20).toFixed(0)} MB; sessions are at most ${MAX_SESSION_BYTES / 2 ** 20} MB`
    )
  }
  return parseSession(await readFile(path, 'utf8'), path)
}

/** Validates a session document's text; `label` names it in messages (a path or a file name). */
export function parseSession(text: string, label: string): Session {
  if (text.length > MAX_SESSION_BYTES)
    throw new SessionFileError(`${label}: the file is too large for a session`)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    // Includes the RangeError of absurdly deep nesting.
    throw new SessionFileError(
      `${label}: not a session file (not valid JSON: ${(error as Error).message})`,
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
  if (typeof integrity === 'string') {
    const { integrity: _integrity, ...rest } = doc as Record<string, unknown>
    if (digest(JSON.stringify(rest)) !== integrity) {
      throw new SessionFileError(
        `${label}: damaged session file: its contents do not match the checksum written with it`
      )
    }
  }
  const parsed = sessionSchema.safeParse(doc)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SessionFileError(
      `${label}: damaged session file: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`
    )
  }
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
