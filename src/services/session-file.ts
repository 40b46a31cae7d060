import { randomBytes } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { z } from 'zod'
import {
  backendNameSchema,
  denoisingSummarySchema,
  experimentSchema,
  glyphResultSchema,
  runStatusSchema
} from '../shared/schemas'

// The session file (.aelab): a versioned JSON document holding runs with their configs,
// per-epoch history, results and weights (tfjs-layers artifacts). Validated on load; written
// atomically (temporary file, then rename) so a crash mid-save never damages the old file.

export const SESSION_FORMAT = 'autoencoder-lab-session'
export const SESSION_VERSION = 1
export const SESSION_EXTENSION = '.aelab'
/** Larger files are refused before parsing. */
export const MAX_SESSION_BYTES = 256 * 1024 * 1024

const finite = z.number().refine(Number.isFinite, 'must be a finite number')
const history = z.record(z.string().max(40), z.array(z.number().nullable()).max(2_000_000))

const networkSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightSpecs: z
    .array(
      z.object({
        name: z.string().max(200),
        shape: z.array(z.number().int().min(0).max(1_000_000)).max(4),
        dtype: z.literal('float32')
      })
    )
    .max(64),
  weightData: z.string().max(MAX_SESSION_BYTES)
})
export type SavedNetworkRecord = z.infer<typeof networkSchema>

export const runRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-z-]{1,64}$/),
  experiment: experimentSchema,
  status: runStatusSchema,
  message: z.string().max(2000),
  epochs: z.number().int().min(0),
  seconds: finite.min(0),
  finalLoss: finite.nullable(),
  environment: z.object({
    backend: backendNameSchema,
    versions: z.record(z.string().max(40), z.string().max(80))
  }),
  /** Per-epoch metrics: `epoch`, `loss`, ... columns of equal length (null where not measured). */
  history,
  /** Letters: per-glyph latent codes, reconstructions and wrong pixels. */
  glyphs: z.array(glyphResultSchema).max(256).nullable(),
  denoising: denoisingSummarySchema.nullable(),
  /** The trained networks: `autoencoder`, or `encoder` and `decoder` for a VAE. */
  networks: z.partialRecord(z.enum(['autoencoder', 'encoder', 'decoder']), networkSchema)
})
export type RunRecord = z.infer<typeof runRecordSchema>

export const sessionSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  version: z.literal(SESSION_VERSION),
  name: z.string().max(200),
  createdAt: z.string().max(40),
  runs: z.array(runRecordSchema).max(500)
})
export type Session = z.infer<typeof sessionSchema>

export class SessionFileError extends Error {}

/** Reads and validates a session file; every failure is a SessionFileError naming the problem. */
export async function readSession(path: string): Promise<Session> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new SessionFileError(`${path}: no such file`)
  }
  if (size > MAX_SESSION_BYTES)
    throw new SessionFileError(
      `${path}: the file is ${(size / 2 ** 20).toFixed(0)} MB; sessions are at most ${MAX_SESSION_BYTES / 2 ** 20} MB`
    )
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new SessionFileError(
      `${path}: not a session file (not valid JSON: ${(error as Error).message})`,
      { cause: error }
    )
  }
  if (
    typeof doc !== 'object' ||
    doc === null ||
    (doc as { format?: unknown }).format !== SESSION_FORMAT
  ) {
    throw new SessionFileError(`${path}: not an Autoencoder Lab session file`)
  }
  const version = (doc as { version?: unknown }).version
  if (typeof version === 'number' && version > SESSION_VERSION) {
    throw new SessionFileError(
      `${path}: written by a newer version of the lab (session format ${version}; this lab reads ${SESSION_VERSION})`
    )
  }
  const parsed = sessionSchema.safeParse(doc)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SessionFileError(
      `${path}: damaged session file: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`
    )
  }
  return parsed.data
}

/** Writes a session atomically: to a temporary file in the same folder, synced, then renamed. */
export async function writeSession(path: string, session: Session): Promise<void> {
  const checked = sessionSchema.parse(session)
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`
  const file = await open(temporary, 'w')
  try {
    await file.writeFile(JSON.stringify(checked))
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
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    name,
    createdAt: new Date().toISOString(),
    runs: []
  }
}
