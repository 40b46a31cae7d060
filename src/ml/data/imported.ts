import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  MANIFEST_FILE,
  importedDatasetManifestSchema,
  type ImportedDatasetManifest
} from '../../shared/imported-dataset'
import { idxFileNames, readIdx } from './idx'

// The data sets a user imported into a workspace (`lab import-data`, services/import-data/):
// `<workspace>/datasets/<name>/` holds the four IDX files of the built-in sets (images N x S x S,
// or N x S x S x 3 for RGB) and dataset.json, the manifest, with a sha256 content hash of the
// files. Read here, for training, listing and checking sessions; written by the importer.

/** Where a workspace keeps its imported data sets. */
export const importedDatasetsRoot = (workspace: string): string => join(workspace, 'datasets')

/** The four prepared files, in the order the content hash reads them. */
export const PREPARED_FILES = (['train', 'test'] as const).flatMap((split) => {
  const names = idxFileNames(split)
  return [names.images, names.labels]
})

/** sha256 of the prepared files (in PREPARED_FILES order) and the class names. */
export function contentHash(files: readonly Uint8Array[], classes: readonly string[]): string {
  const hash = createHash('sha256')
  for (const file of files) hash.update(file)
  hash.update(JSON.stringify(classes))
  return hash.digest('hex')
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

export interface PreparedSplit {
  images: Uint8Array
  labels: Uint8Array
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
    PREPARED_FILES.map(async (file) => {
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
  const [trainImages, trainLabels, testImages, testLabels] = raw.map((data) => {
    try {
      return readIdx(data).data
    } catch (error) {
      throw new Error(`the data set "${name}" is damaged: ${(error as Error).message}`, {
        cause: error
      })
    }
  })
  for (const labels of [trainLabels!, testLabels!])
    if (labels.some((label) => label >= manifest.classes.length))
      throw new Error(
        `the data set "${name}" is damaged: a label is outside its ${manifest.classes.length} classes`
      )
  return {
    manifest,
    train: { images: trainImages!, labels: trainLabels! },
    test: { images: testImages!, labels: testLabels! }
  }
}
