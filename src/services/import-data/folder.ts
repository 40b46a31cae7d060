import { readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { ImageFile, Skipped, Split } from './types'

// The ImageFolder layout (torchvision's): one subfolder per class, named after it, holding that
// class's images (nested folders are walked); optionally `train/` and `test/` at the top, each
// with the same class folders, which then give the split.

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif']

/** Files every desktop leaves around; never worth a line in the report. */
const IGNORED = new Set(['thumbs.db', 'desktop.ini'])
const ignored = (name: string): boolean => name.startsWith('.') || IGNORED.has(name.toLowerCase())

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory() && !ignored(e.name))
    .map((e) => e.name)
    .sort()
}

/** Image files under `dir` (recursively), the rest reported as skipped. */
async function collect(
  dir: string,
  entry: string,
  found: { path: string; entry: string }[],
  skipped: Skipped[]
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (ignored(e.name)) continue
    const path = join(dir, e.name)
    const inside = `${entry}/${e.name}`
    if (e.isDirectory()) await collect(path, inside, found, skipped)
    else if (IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      found.push({ path, entry: inside })
    else skipped.push({ entry: inside, reason: 'not a PNG, JPEG, WebP or GIF file' })
  }
}

/** The class folders under `dir`, each with its images. */
async function scanClasses(
  dir: string,
  prefix: string,
  split: Split | null,
  files: ImageFile[],
  skipped: Skipped[]
): Promise<number> {
  const top = await readdir(dir, { withFileTypes: true })
  for (const e of top)
    if (!e.isDirectory() && !ignored(e.name))
      skipped.push({ entry: `${prefix}${e.name}`, reason: 'not inside a class folder' })
  const classes = await subfolders(dir)
  for (const label of classes) {
    const found: { path: string; entry: string }[] = []
    await collect(join(dir, label), `${prefix}${label}`, found, skipped)
    if (found.length === 0)
      skipped.push({
        entry: `${prefix}${label}/`,
        reason: 'an empty class folder (no images): left out'
      })
    for (const f of found) files.push({ ...f, label, split })
  }
  return classes.length
}

/** Every image of an ImageFolder-layout folder, with its class and split. */
export async function scanImageFolder(
  dir: string
): Promise<{ files: ImageFile[]; skipped: Skipped[] }> {
  const files: ImageFile[] = []
  const skipped: Skipped[] = []
  const top = await subfolders(dir)
  const train = top.find((name) => name.toLowerCase() === 'train')
  const test = top.find((name) => name.toLowerCase() === 'test')
  let classes = 0
  if (train && test && top.length === 2) {
    classes += await scanClasses(join(dir, train), `${train}/`, 'train', files, skipped)
    classes += await scanClasses(join(dir, test), `${test}/`, 'test', files, skipped)
  } else {
    classes = await scanClasses(dir, '', null, files, skipped)
  }
  if (classes === 0)
    throw new Error(
      `${dir} holds no class folders: put each class's images in a folder named after the class (cats/1.png, dogs/2.png), or give an IDX, CSV, .npy or .npz file`
    )
  return { files, skipped }
}
