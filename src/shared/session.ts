import { z } from 'zod'
import {
  backendNameSchema,
  denoisingSummarySchema,
  glyphResultSchema,
  glyphSchema,
  runIdSchema,
  MAX_IMAGE_VALUES,
  runStatusSchema,
  sessionViewSchema
} from './schemas'
import { experimentSchema } from './experiments'
import { runMetricsSchema } from './latent-analysis'
import { MAX_CHARACTER_SETS, characterSetSchema } from './character-sets'

// The session file's schema (.aelab): a versioned JSON document holding runs with their
// configs, per-epoch history, results and weights (tfjs-layers artifacts), the custom glyph set
// and the view. Shared: hosts read and write it, the renderer receives its runs.

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

/** A run's trained networks: `autoencoder`, or `encoder` and `decoder` for a VAE. */
export const networksSchema = z.partialRecord(
  z.enum(['autoencoder', 'encoder', 'decoder']),
  networkSchema
)

export const runRecordSchema = z.object({
  /** The same run ids as everywhere else: a file's id must be one the lab can use. */
  id: runIdSchema,
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
  /** VAE: the fixed test images reconstructed after a few epochs (pixels 0-255), as the lab showed them. */
  epochImages: z
    .array(
      z.object({
        epoch: z.number().int().min(0),
        images: z
          .array(z.array(z.number().int().min(0).max(255)).min(1).max(MAX_IMAGE_VALUES))
          .max(16)
      })
    )
    .max(64)
    .optional(),
  /**
   * What the run's latent codes say, measured as it ended (src/shared/latent-analysis.ts):
   * active units; on labelled data kNN accuracy and per-class error; a VAE's test ELBO parts.
   * Absent in sessions saved before runs carried them, and for kinds that measure none.
   */
  metrics: runMetricsSchema.nullable().optional(),
  networks: networksSchema
})
export type RunRecord = z.infer<typeof runRecordSchema>

export const sessionSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  version: z.literal(SESSION_VERSION),
  name: z.string().max(200),
  createdAt: z.string().max(40),
  runs: z.array(runRecordSchema).max(500),
  /** Glyphs drawn in the pixel editor and kept as a custom set. */
  customGlyphs: z.array(glyphSchema).max(256).default([]),
  /** Character sets imported from `.h` or glyph JSON files, listed next to Font1-3. */
  characterSets: z.array(characterSetSchema).max(MAX_CHARACTER_SETS).default([]),
  view: sessionViewSchema.default(sessionViewSchema.parse({})),
  /** SHA-256 of the document without this field, as written: detects files changed or damaged since. */
  integrity: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
})
export type Session = z.output<typeof sessionSchema>

/** A run as the renderer receives it from an opened session: everything but the weights. */
export const sessionSummarySchema = runRecordSchema.omit({ networks: true })
export type SessionSummary = z.infer<typeof sessionSummarySchema>

export const openedSessionSchema = z.object({
  name: z.string(),
  session: sessionSchema.omit({ runs: true }).extend({ runs: z.array(sessionSummarySchema) }),
  /**
   * What the user should know about the runs opened, e.g. that an imported data set a run was
   * trained on is missing or has changed (the run opens; exploring its test set cannot).
   */
  notices: z.array(z.string()).max(500).default([])
})
export type OpenedSessionPayload = z.infer<typeof openedSessionSchema>
