import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeIdx } from '../../ml/data/idx'
import { PREPARED_FILES, contentHash, type PreparedSplit } from '../../ml/data/imported'
import {
  MANIFEST_FILE,
  importedDatasetManifestSchema,
  type ImportedDatasetManifest
} from '../../shared/imported-dataset'
import type { Split } from './types'

// Imported data sets in the workspace: `<workspace>/datasets/<name>/` holds the four IDX files of
// the built-in sets (train/t10k images and labels; images N x S x S, or N x S x S x 3 for RGB)
// and dataset.json (the manifest). A set is written into a hidden temporary folder and renamed
// into place, so an interrupted import leaves no half-written set.

function encode(
  split: PreparedSplit,
  size: number,
  channels: 1 | 3
): [images: Uint8Array, labels: Uint8Array] {
  const count = split.labels.length
  const dims = channels === 1 ? [count, size, size] : [count, size, size, channels]
  return [writeIdx(dims, split.images), writeIdx([count], split.labels)]
}

/** Writes a prepared set atomically; returns its manifest with the content hash filled in. */
export async function writePrepared(
  root: string,
  manifest: Omit<ImportedDatasetManifest, 'contentHash'>,
  splits: Record<Split, PreparedSplit>,
  options: { replace?: boolean; signal?: AbortSignal } = {}
): Promise<{ manifest: ImportedDatasetManifest; folder: string }> {
  const folder = join(root, manifest.name)
  if (existsSync(folder) && !options.replace)
    throw new Error(
      `a data set named "${manifest.name}" already exists (${folder}); choose another name or replace it`
    )
  await mkdir(root, { recursive: true })
  const temp = join(root, `.import-${manifest.name}-${randomBytes(4).toString('hex')}`)
  try {
    await mkdir(temp)
    const files = [
      ...encode(splits.train, manifest.size, manifest.channels),
      ...encode(splits.test, manifest.size, manifest.channels)
    ]
    const full = importedDatasetManifestSchema.parse({
      ...manifest,
      contentHash: contentHash(files, manifest.classes)
    })
    for (const [k, name] of PREPARED_FILES.entries()) {
      options.signal?.throwIfAborted()
      await writeFile(join(temp, name), files[k]!)
    }
    await writeFile(join(temp, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`)
    options.signal?.throwIfAborted()
    if (existsSync(folder)) {
      const old = `${temp}-replaced`
      await rename(folder, old)
      await rename(temp, folder)
      await rm(old, { recursive: true, force: true })
    } else {
      await rename(temp, folder)
    }
    return { manifest: full, folder }
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    throw error
  }
}
