import { defineAsyncComponent, type Component } from 'vue'
import { LABS, type Lab } from '../labs'

// One view per lab, each loaded when its tab first opens (its own chunk of the bundle), so the
// lab on screen at start-up does not wait for the code of the others.
const loaders = {
  letters: () => import('./LettersView.vue'),
  denoising: () => import('./DenoisingView.vue'),
  vae: () => import('./VaeView.vue')
} satisfies Record<Lab, () => Promise<{ default: Component }>>

export const LAB_VIEWS: Record<Lab, Component> = {
  letters: defineAsyncComponent(loaders.letters),
  denoising: defineAsyncComponent(loaders.denoising),
  vae: defineAsyncComponent(loaders.vae)
}

/** Fetches every lab's code in the background (once the first is on screen), so tabs open at once. */
export function prefetchLabViews(): void {
  for (const load of Object.values(loaders)) void load().catch(() => undefined)
}

/**
 * Starts loading the first lab's code and ECharts at boot, while the connection to the lab is
 * made (the page has nothing else to do then), instead of one after the other once it is up.
 */
export function preloadFirstLab(): void {
  void loaders[LABS[0].id]().catch(() => undefined)
  void import('../charts/echarts').catch(() => undefined)
}
