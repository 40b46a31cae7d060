import { defineStore } from 'pinia'
import { i18n } from '../i18n'
import { ref } from 'vue'
import {
  MAX_CHARACTER_SETS,
  nameImportedSets,
  parseCharacterSetFile,
  sliceGlyphSheet,
  type CharacterSet,
  type HeaderFont,
  type SheetImage
} from '@shared/character-sets'

/** A PNG sprite sheet's luminance, decoded by the browser (transparent pixels count as white). */
async function decodeSheet(file: File): Promise<SheetImage> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  } catch {
    throw new Error(`${file.name}: not a readable PNG image`)
  }
  const { width, height } = bitmap
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error(`${file.name}: cannot be drawn to read its pixels`)
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, width, height)
  ctx.drawImage(bitmap, 0, 0)
  bitmap.close()
  const rgba = ctx.getImageData(0, 0, width, height).data
  const luminance = new Uint8Array(width * height)
  for (let i = 0; i < luminance.length; i++)
    luminance[i] = Math.round(
      0.2126 * rgba[4 * i]! + 0.7152 * rgba[4 * i + 1]! + 0.0722 * rgba[4 * i + 2]!
    )
  return { width, height, luminance }
}

/** A header, glyph JSON or a PNG sprite sheet (its cells detected from its size) as sets. */
async function readFile(file: File): Promise<HeaderFont[]> {
  if (/\.png$/i.test(file.name)) return [sliceGlyphSheet(await decodeSheet(file), file.name)]
  return parseCharacterSetFile(file.name, await file.text())
}
import { useLabStore } from './lab'

/** A file the character-set importer reads: a C header, or JSON that is not a session file. */
export async function isCharacterSetFile(file: File): Promise<boolean> {
  if (/\.(h|hpp|c|png)$/i.test(file.name)) return true
  if (!/\.json$/i.test(file.name)) return false
  // A session saved under .json still opens as a session.
  return !(await file.slice(0, 4096).text()).includes('"autoencoder-lab-session"')
}

/**
 * Character sets imported from the course's `.h` header or the lab's glyph JSON: kept in the
 * session, listed next to Font1-3, renamable and removable. Parsed here, in the page, with the
 * same reader the command line uses (src/shared/character-sets.ts).
 */
export const useCharacterSetsStore = defineStore('characterSets', () => {
  const lab = useLabStore()
  const sets = ref<CharacterSet[]>([])
  const error = ref<string | null>(null)
  const notice = ref<string | null>(null)

  const byName = (name: string | undefined): CharacterSet | undefined =>
    name === undefined ? undefined : sets.value.find((s) => s.name === name)
  const taken = (): string[] => [...lab.fontNames, ...sets.value.map((s) => s.name)]

  /** Reads a file into new sets; a refusal names the file and the line, and changes nothing. */
  async function importFile(file: File): Promise<CharacterSet[]> {
    error.value = null
    notice.value = null
    try {
      const found = await readFile(file)
      if (sets.value.length + found.length > MAX_CHARACTER_SETS)
        throw new Error(`a session keeps at most ${MAX_CHARACTER_SETS} imported character sets`)
      const added = nameImportedSets(found, file.name, taken())
      sets.value = [...sets.value, ...added]
      notice.value = i18n.global.t('letters.sets.imported', {
        sets: added
          .map((s) =>
            i18n.global.t('letters.sets.importedSet', { name: s.name, n: s.glyphs.length })
          )
          .join(', '),
        file: file.name
      })
      return added
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return []
    }
  }

  /** Renames a set; the new name must be 1 to 80 characters and not name another set. */
  function rename(name: string, next: string): boolean {
    const wanted = next.trim()
    if (wanted === name) return true
    if (wanted.length === 0 || wanted.length > 80) {
      error.value = i18n.global.t('letters.sets.badName')
      return false
    }
    if (taken().includes(wanted)) {
      error.value = i18n.global.t('letters.sets.taken', { name: wanted })
      return false
    }
    sets.value = sets.value.map((s) => (s.name === name ? { ...s, name: wanted } : s))
    error.value = null
    return true
  }

  function remove(name: string): void {
    sets.value = sets.value.filter((s) => s.name !== name)
  }

  /** Plain copies for a request (reactive proxies do not cross Electron's IPC). */
  const plain = (): CharacterSet[] =>
    sets.value.map((s) => ({
      name: s.name,
      ...(s.source ? { source: s.source } : {}),
      ...(s.grid ? { grid: { rows: s.grid.rows, cols: s.grid.cols } } : {}),
      glyphs: s.glyphs.map((g) => ({ char: g.char, code: g.code, pixels: [...g.pixels] }))
    }))

  return { sets, error, notice, byName, importFile, rename, remove, plain }
})
