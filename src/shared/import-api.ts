import { z } from 'zod'
import {
  MAX_IMPORT_SIZE,
  MIN_IMPORT_SIZE,
  importFormatSchema,
  importedDatasetManifestSchema,
  importedDatasetNameSchema
} from './imported-dataset'

// The app's side of importing a data set (the "Import data set..." dialog): the requests and
// events of the contract that carry it, one schema each. The images come from a path the
// desktop app's native dialog chose (granted as a token, never sent as a path), or from files
// the page uploads into a staging folder of the host (the browser: a file or folder input, or
// a drop on the window), through the WebSocket's upload of large requests.

/** Raw bytes of one request's files (base64 adds a third; the wire's upload limit is above). */
export const MAX_STAGE_REQUEST_BYTES = 8 << 20
/** Files of one staging folder together: the page uploads at most this much for one import. */
export const MAX_STAGED_BYTES = 1024 ** 3
/** Files of one staging folder. */
export const MAX_STAGED_FILES = 200_000

const hex = (length: number): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`))
export const stagingIdSchema = hex(24)
export const importIdSchema = hex(16)

/**
 * A path inside the uploaded folder: relative, '/'-separated, no empty, '.' or '..' part, no
 * characters a file system refuses.
 */
export const stagedPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (path) =>
      path.split('/').every(
        (part) =>
          part !== '' &&
          part !== '.' &&
          part !== '..' &&
          part.length <= 255 &&
          // eslint-disable-next-line no-control-regex
          !/[\\:*?"<>|\u0000-\u001f]/.test(part)
      ),
    'a relative path of folder and file names (no "..", no "\\" or ":")'
  )

export const stageFilesInputSchema = z.strictObject({
  /** Null for the first files of an import: the host makes a staging folder and names it. */
  staging: stagingIdSchema.nullable(),
  files: z
    .array(
      z.strictObject({
        path: stagedPathSchema,
        data: z.base64().max(Math.ceil(MAX_STAGE_REQUEST_BYTES / 3) * 4),
        /** A further piece of a large file: added to its end. */
        append: z.boolean().optional()
      })
    )
    .min(1)
    .max(5000)
})
export const stageFilesResultSchema = z.object({
  staging: stagingIdSchema,
  files: z.number().int(),
  bytes: z.number().int()
})

/** What to import: uploaded files, or a path granted by a native dialog. */
export const importSourceSchema = z.union([
  z.strictObject({ staging: stagingIdSchema }),
  z.strictObject({ token: hex(32) })
])
export type ImportSourceRef = z.infer<typeof importSourceSchema>

const shapeFields = {
  size: z.number().int().min(MIN_IMPORT_SIZE).max(MAX_IMPORT_SIZE).default(28),
  channels: z.union([z.literal(1), z.literal(3)]).default(1)
}

export const previewInputSchema = z.strictObject({ source: importSourceSchema, ...shapeFields })

const skippedSchema = z.object({ entry: z.string(), reason: z.string() })
const count = z.number().int().min(0)

export const importPreviewSchema = z.object({
  format: importFormatSchema,
  /** The chosen file or folder's name. */
  sourceName: z.string(),
  size: z.number().int(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Every class with its image count, and how the split would divide it. */
  classes: z.array(z.object({ name: z.string(), count, train: count, test: count })),
  split: z.enum(['files', 'seeded']),
  /** A PNG (base64) of the first images of each class as the import makes them, a row each. */
  grid: z.base64(),
  /** Rows in the grid (the first classes, when there are more). */
  gridClasses: count,
  gridColumns: count,
  skipped: z.array(skippedSchema)
})
export type ImportPreviewResult = z.infer<typeof importPreviewSchema>

export const startImportInputSchema = z.strictObject({
  source: importSourceSchema,
  name: importedDatasetNameSchema,
  ...shapeFields,
  replace: z.boolean().default(false)
})

export const importProgressEventSchema = z.object({
  importId: importIdSchema,
  phase: z.enum(['reading', 'decoding', 'writing']),
  done: count,
  total: count
})

export const importDoneEventSchema = z.object({
  importId: importIdSchema,
  manifest: importedDatasetManifestSchema,
  skipped: z.array(skippedSchema),
  seconds: z.number()
})
export type ImportDoneEvent = z.infer<typeof importDoneEventSchema>

export const importFailedEventSchema = z.object({
  importId: importIdSchema,
  message: z.string(),
  cancelled: z.boolean()
})

/** What the desktop app's native dialog chose (files: an IDX, CSV or NumPy file). */
export const pickImportInputSchema = z.strictObject({ mode: z.enum(['folder', 'file']) })
export const pickImportResultSchema = z
  .object({ source: z.strictObject({ token: hex(32) }), name: z.string() })
  .nullable()
