import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { VaeDone, VaeProgress, VaeTrainConfig } from '@shared/schemas'
import { spreadEvenly } from '@shared/spread'
import type { SweepTag } from '@shared/sweep-tag'
import type { ConvSettings, VaeModelKind } from './vae-conv'

/** A finished VAE run kept in the session, to explore again and to compare with others. */
export interface VaeRun {
  runId: string
  label: string
  color: string
  /** The dense VAE, the conditional one or the convolutional one. */
  kind: VaeModelKind
  config: VaeTrainConfig
  /** A convolutional VAE's filters and dense layer (its `config.hidden` is not used). */
  conv?: ConvSettings
  /** Per epoch; reconstructions kept for the few epochs the lab shows. */
  curve: VaeProgress[]
  result: VaeDone
  /** The sweep the run belongs to, if any. */
  sweep?: SweepTag
}

const PALETTE = ['#2f5bd3', '#d9534f', '#2e9d5b', '#a05bd3', '#e08a1e', '#1fa2b8', '#8a6d3b']

/** How many epochs of reconstructions the lab shows (and keeps) per run. */
export const SHOWN_EPOCHS = 6

export function describeVae(c: VaeTrainConfig, conv?: ConvSettings): string {
  const data =
    c.dataset === 'mnist' ? 'MNIST' : c.dataset === 'fashion-mnist' ? 'Fashion-MNIST' : c.dataset
  const layers = conv ? `conv ${conv.filters.join('-')} · dense ${conv.dense}` : c.hidden.join('-')
  return `${data} · ${c.trainSize} images · ${layers} · z${c.latent} · β ${c.beta} · ${c.epochs} epochs`
}

const KIND_PREFIX: Record<VaeModelKind, string> = {
  vae: '',
  cvae: 'conditional · ',
  'conv-vae': 'convolutional · '
}

/** Keeps the reconstructions of the epochs that are shown, and drops the rest (784 values each). */
export function thinReconstructions(curve: readonly VaeProgress[]): VaeProgress[] {
  const kept = new Set(
    spreadEvenly(
      curve.filter((c) => c.reconstructions.length > 0),
      SHOWN_EPOCHS
    ).map((c) => c.epoch)
  )
  return curve.map((c) => (kept.has(c.epoch) ? c : { ...c, reconstructions: [] }))
}

/** The session's VAE runs (like the letters runs: one is explored, any are compared). */
export const useVaeRunsStore = defineStore('vaeRuns', () => {
  const runs = shallowRef<VaeRun[]>([])
  const compared = ref<string[]>([])
  const comparedRuns = computed(() => runs.value.filter((r) => compared.value.includes(r.runId)))

  function add(run: Omit<VaeRun, 'label' | 'color'>): void {
    if (runs.value.some((r) => r.runId === run.runId)) return
    const color = PALETTE[runs.value.length % PALETTE.length]!
    const label = `#${runs.value.length + 1} ${KIND_PREFIX[run.kind]}${describeVae(run.config, run.conv)}`
    runs.value = [...runs.value, { ...run, curve: thinReconstructions(run.curve), label, color }]
    compared.value = [...compared.value, run.runId]
  }

  function remove(runId: string): void {
    runs.value = runs.value.filter((r) => r.runId !== runId)
    compared.value = compared.value.filter((id) => id !== runId)
  }

  function toggleCompared(runId: string): void {
    compared.value = compared.value.includes(runId)
      ? compared.value.filter((id) => id !== runId)
      : [...compared.value, runId]
  }

  function clear(): void {
    runs.value = []
    compared.value = []
  }

  return { runs, compared, comparedRuns, add, remove, toggleCompared, clear }
})
