import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readIdx, writeIdx } from '../../ml/data/idx'
import {
  MANIFEST_FILE,
  importedDatasetManifestSchema,
  type ImportedDatasetManifest
} from '../../shared/imported-dataset'
import { idxFileNames } from '../../ml/data/datasets'
import type { Split } from './types'

// Imported data sets in the workspace: `<workspace>/datasets/<name>/` holds the four IDX files of
// the built-in sets (train/t10k images and labels; images N x S x S, or N x S x S x 3 for RGB)
// and dataset.json (the manifest). A set is written into a hidden temporary folder and renamed
// into place, so an interrupted import leaves no half-written set.

/** Where a workspace keeps its imported data sets. */
export const importedDatasetsRoot = (workspace: string): string => join(workspace, 'datasets')

export interface PreparedSplit {
  images: Uint8Array
  labels: Uint8Array
}

const FILES = (['train', 'test'] as const).flatMap((split) => {
  const names = idxFileNames(split)
  return [names.images, names.labels]
})

/** sha256 of the prepared files (in a fixed order) and the class names. */
function contentHash(files: Uint8Array[], classes: readonly string[]): string {
  const hash = createHash('sha256')
  for (const file of files) hash.update(file)
  hash.update(JSON.stringify(classes))
  return hash.digest('hex')
}

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
    for (const [k, name] of FILES.entries()) {
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

/** The manifest of an imported set, checked. */
export async function readManifest(root: string, name: string): Promise<ImportedDatasetManifest> {
  const path = join(root, name, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`the data set "${name}" is not in ${root}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`${path} is damaged (not JSON)`)
  }
  const parsed = importedDatasetManifestSchema.safeParse(json)
  if (!parsed.success)
    throw new Error(`${path} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  if (parsed.data.name !== name)
    throw new Error(`${path} describes "${parsed.data.name}", not "${name}"`)
  return parsed.data
}

export type ImportedEntry =
  { name: string; manifest: ImportedDatasetManifest } | { name: string; error: string }

/** Every imported set in `root` (hidden folders, such as an import under way, are not). */
export async function listImported(root: string): Promise<ImportedEntry[]> {
  let names: string[]
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
  return Promise.all(
    names.map(async (name): Promise<ImportedEntry> => {
      try {
        return { name, manifest: await readManifest(root, name) }
      } catch (error) {
        return { name, error: (error as Error).message }
      }
    })
  )
}

export interface LoadedImported {
  manifest: ImportedDatasetManifest
  train: PreparedSplit
  test: PreparedSplit
}

/** Loads an imported set whole, checking its files against the manifest's content hash. */
export async function loadImported(root: string, name: string): Promise<LoadedImported> {
  const manifest = await readManifest(root, name)
  const raw = await Promise.all(
    FILES.map(async (file) => {
      try {
        return await readFile(join(root, name, file))
      } catch {
        throw new Error(`the data set "${name}" is incomplete: ${file} is missing`)
      }
    })
  )
  if (contentHash(raw, manifest.classes) !== manifest.contentHash)
    throw new Error(
      `the data set "${name}" has changed since it was imported (its files do not match its content hash); import it again`
    )
  const [trainImages, trainLabels, testImages, testLabels] = raw.map((data) => readIdx(data).data)
  return {
    manifest,
    train: { images: trainImages!, labels: trainLabels! },
    test: { images: testImages!, labels: testLabels! }
  }
}
