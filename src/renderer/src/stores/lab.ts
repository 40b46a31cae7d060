import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Font, FontName, LabInfo } from '@shared/schemas'
import { labClient } from '../api/client'

/** What the host offers: backend, versions, character sets. Loaded once at start. */
export const useLabStore = defineStore('lab', () => {
  const info = ref<LabInfo | null>(null)
  const fonts = ref<Font[]>([])
  const error = ref<string | null>(null)
  const loading = ref(false)

  const fontNames = computed(() => fonts.value.map((f) => f.name))
  const fontByName = (name: FontName | undefined): Font | undefined =>
    name === undefined ? undefined : fonts.value.find((f) => f.name === name)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const client = labClient()
      const [nextFonts, nextInfo] = await Promise.all([
        client.request('listFonts', undefined),
        client.request('getInfo', undefined)
      ])
      fonts.value = nextFonts
      info.value = nextInfo
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  return { info, fonts, error, loading, fontNames, fontByName, load }
})
