import type { StreamStats } from './store'
import type { ImportFormat, ImportedDatasetManifest } from '../../shared/imported-dataset'

// What the readers of each format hand the importer, and what the importer reports.

export type Split = 'train' | 'test'

/** Something left out of an import, and why (shown to the user as `entry: reason`). */
export interface Skipped {
  /** The file, and the row or entry inside it: `cats/x.png`, `data.csv row 17`. */
  entry: string
  reason: string
}

/** Images already decoded to numbers: an IDX, CSV or NumPy array. */
export interface RawArrays {
  /** The file's name, for messages. */
  file: string
  count: number
  height: number
  width: number
  /** 1 (grey), 3 (RGB) or 4 (RGBA, the alpha dropped on import); interleaved. */
  channels: 1 | 3 | 4
  /** count x height x width x channels grey levels, 0-255. */
  pixels: Uint8Array
  /** One class name per image, or null when the file has no labels. */
  labels: readonly string[] | null
  split: Split | null
}

/** An encoded image file (PNG, JPEG, WebP, GIF) in a class folder. */
export interface ImageFile {
  path: string
  /** Its path inside the imported folder, for messages. */
  entry: string
  label: string
  split: Split | null
}

/** What a format reader found: image files to decode, or arrays already decoded. */
export interface Source {
  format: ImportFormat
  files: ImageFile[]
  arrays: RawArrays[]
  skipped: Skipped[]
}

export interface ImportProgress {
  phase: 'reading' | 'decoding' | 'writing'
  done: number
  total: number
}

export interface ImportOptions {
  /** The file or folder to import. */
  source: string
  /** Where imported data sets live (`<workspace>/datasets`). */
  datasetsRoot: string
  name: string
  size?: number
  channels?: 1 | 3
  /** Replace a data set of the same name. */
  replace?: boolean
  /** Seed of the 85/15 split when the files give none. */
  seed?: number
  /** Images decoded, then written, at a time (what the importer holds; CHUNK_IMAGES). */
  chunkImages?: number
  signal?: AbortSignal
  onProgress?: (progress: ImportProgress) => void
}

export interface ImportReport {
  manifest: ImportedDatasetManifest
  /** The prepared data set's folder. */
  folder: string
  skipped: Skipped[]
  seconds: number
  /** How the import streamed: chunks written and the most image bytes held at once. */
  stream: StreamStats
}
