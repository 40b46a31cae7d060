import { defineStore } from 'pinia'
import { ref } from 'vue'

export type Lab = 'letters' | 'denoising' | 'vae'

/** Which lab is on screen. */
export const useUiStore = defineStore('ui', () => {
  const lab = ref<Lab>('letters')
  return { lab }
})
