import { defineStore } from 'pinia'
import { ref } from 'vue'
import { LABS, type Lab } from '../labs'

export type { Lab } from '../labs'

/** Which lab is on screen. */
export const useUiStore = defineStore('ui', () => {
  const lab = ref<Lab>(LABS[0].id)
  return { lab }
})
