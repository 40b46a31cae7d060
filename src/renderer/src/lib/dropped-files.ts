// Files the user chose or dropped for an import, with their paths inside what was chosen
// ('shapes/circle/1.png'). A drop hands over file system entries, which must be taken from the
// drop event at once (they are gone after it) and are then walked; a folder input gives each
// file's webkitRelativePath.

export interface PickedFile {
  path: string
  file: File
}

/** Files every desktop leaves around; never uploaded. */
const ignored = (name: string): boolean =>
  name.startsWith('.') || ['thumbs.db', 'desktop.ini'].includes(name.toLowerCase())

/** What an import is made from: a folder, or a data file (CSV, NumPy, IDX). */
export function isImportEntry(entry: FileSystemEntry): boolean {
  return entry.isDirectory || /\.(csv|npy|npz)$|-ubyte$/i.test(entry.name)
}

/** The entries of a drop; call it in the drop event itself. */
export function droppedEntries(transfer: DataTransfer | null): FileSystemEntry[] {
  return [...(transfer?.items ?? [])]
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null)
}

const fileOf = (entry: FileSystemFileEntry): Promise<File> =>
  new Promise((resolve, reject) => entry.file(resolve, reject))

/** Every entry of a folder (readEntries gives them a hundred or so at a time). */
async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const some = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject)
    )
    if (some.length === 0) return all
    all.push(...some)
  }
}

/** Walks dropped entries into files with their paths. */
export async function readEntries(entries: readonly FileSystemEntry[]): Promise<PickedFile[]> {
  const files: PickedFile[] = []
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (ignored(entry.name)) return
    const path = `${prefix}${entry.name}`
    if (entry.isFile) files.push({ path, file: await fileOf(entry as FileSystemFileEntry) })
    else if (entry.isDirectory)
      for (const child of await childrenOf(entry as FileSystemDirectoryEntry))
        await walk(child, `${path}/`)
  }
  for (const entry of entries) await walk(entry, '')
  return files
}

/** Files from a file input: a folder's (webkitdirectory) with their paths, or single files. */
export function pickedFiles(list: FileList | null): PickedFile[] {
  return [...(list ?? [])]
    .map((file) => ({ path: file.webkitRelativePath || file.name, file }))
    .filter((f) => !f.path.split('/').some(ignored))
}
