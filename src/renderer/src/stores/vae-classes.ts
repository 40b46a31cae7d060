import { computed, ref, shallowRef, type ComputedRef, type Ref } from 'vue'
import { labClient } from '../api/client'
import type { VaeModelKind } from './vae'

interface Context {
  runId: Ref<string | null>
  /** The model on screen. */
  trainedModel: Ref<VaeModelKind>
  classNames: ComputedRef<readonly string[]>
  /** The latent point the class grid decodes: the probe's, or the prior's mean. */
  point: () => number[]
  /** Decodes what is on screen again (after the class changed). */
  redecode: () => Promise<void>
  ok: () => void
  fail: (e: unknown) => void
}

/**
 * A conditional VAE's classes (part of the VAE store): the class the probe, grid, path, samples
 * and pad decode for, and the images of every class at one latent point (style held, class
 * varied).
 */
export function useVaeClasses(context: Context) {
  const { runId, trainedModel, classNames, ok, fail } = context
  /** A conditional VAE's class: what the probe, grid, path, samples and pad decode for. */
  const label = ref(0)
  /** A conditional VAE's images of every class at one latent point. */
  const classGrid = shallowRef<{ point: number[]; patterns: number[][] } | null>(null)
  const conditional = computed(() => trainedModel.value === 'cvae')

  /** Picks the class a conditional VAE draws; what is on screen is decoded again for it. */
  async function pickLabel(next: number): Promise<void> {
    if (!Number.isInteger(next) || next < 0 || next >= classNames.value.length) return
    label.value = next
    await context.redecode()
  }

  /** Decodes one latent point (the probe's, or the prior's mean) for every class. */
  async function refreshClassGrid(): Promise<void> {
    const id = runId.value
    if (!id || !conditional.value) return
    const point = context.point()
    const classes = classNames.value.length
    try {
      const { patterns } = await labClient().request('decodeLatent', {
        runId: id,
        points: new Array<number[]>(classes).fill(point),
        labels: Array.from({ length: classes }, (_, c) => c)
      })
      if (id !== runId.value) return
      classGrid.value = { point: [...point], patterns }
      ok()
    } catch (e) {
      if (id === runId.value) fail(e)
    }
  }

  return { label, classGrid, conditional, pickLabel, refreshClassGrid }
}
