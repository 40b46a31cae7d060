import { defineStore } from 'pinia'
import { i18n } from '../i18n'
import { ref } from 'vue'
import type { Glyph } from '@shared/schemas'

/** Glyphs drawn in the pixel editor, collected into a set that trains like a font. */
export const useCustomSetStore = defineStore('customSet', () => {
  const glyphs = ref<Glyph[]>([])
  const error = ref<string | null>(null)

  /** Adds a drawing under a label (1 to 4 characters, unique in the set). */
  function add(label: string, pixels: readonly number[]): boolean {
    const char = label.trim()
    if (char.length === 0 || [...char].length > 4) {
      error.value = i18n.global.t('letters.custom.badLabel')
      return false
    }
    if (glyphs.value.some((g) => g.char === char)) {
      error.value = i18n.global.t('letters.custom.duplicate', { glyph: char })
      return false
    }
    if (glyphs.value.length >= 256) {
      error.value = i18n.global.t('letters.custom.full')
      return false
    }
    glyphs.value = [
      ...glyphs.value,
      { char, code: char.codePointAt(0) ?? 0, pixels: pixels.map((p) => (p >= 0.5 ? 1 : 0)) }
    ]
    error.value = null
    return true
  }

  function remove(char: string): void {
    glyphs.value = glyphs.value.filter((g) => g.char !== char)
  }

  return { glyphs, error, add, remove }
})
