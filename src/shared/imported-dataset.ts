import { z } from 'zod'

// The manifest of a data set the user imported (`lab import-data`, services/import-data/): what
// `dataset.json` beside its IDX files says. Read back through this one schema.

/** The file that describes an imported data set, inside its folder. */
export const MANIFEST_FILE = 'dataset.json'

/** Built-in data sets; an imported set cannot take their names. */
export const RESERVED_DATASET_NAMES = ['mnist', 'fashion-mnist', 'letters'] as const

/** At most this many classes: labels are stored as one unsigned byte. */
export const MAX_CLASSES = 256
/** Square sizes an imported set may have. */
export const MIN_IMPORT_SIZE = 4
export const MAX_IMPORT_SIZE = 256

/** A data set's name: also its folder's name, so letters, digits, '-', '_' and '.' only. */
export const importedDatasetNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/i,
    'a name of 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'
  )
  .refine(
    (name) => !(RESERVED_DATASET_NAMES as readonly string[]).includes(name.toLowerCase()),
    'that name belongs to a built-in data set'
  )

export const importFormatSchema = z.enum(['image-folder', 'idx', 'csv', 'npy', 'npz'])
export type ImportFormat = z.infer<typeof importFormatSchema>

const count = z.number().int().min(0)

export const importedDatasetManifestSchema = z.strictObject({
  format: z.literal(1),
  name: importedDatasetNameSchema,
  /** Images are size x size pixels... */
  size: z.number().int().min(MIN_IMPORT_SIZE).max(MAX_IMPORT_SIZE),
  /** ...of 1 (grey) or 3 (RGB, interleaved) channels. */
  channels: z.union([z.literal(1), z.literal(3)]),
  classes: z.array(z.string().min(1)).min(1).max(MAX_CLASSES),
  counts: z.strictObject({
    train: count,
    test: count,
    /** Per class, by label. */
    trainPerClass: z.array(count),
    testPerClass: z.array(count)
  }),
  /** sha256 of the four prepared files and the class names: what a session records. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.strictObject({
    format: importFormatSchema,
    /** The file or folder's name (not its full path). */
    name: z.string(),
    /** 'files' when the source said which images are for testing, else 'seeded'. */
    split: z.enum(['files', 'seeded'])
  }),
  skipped: count,
  importedAt: z.string()
})
export type ImportedDatasetManifest = z.infer<typeof importedDatasetManifestSchema>
