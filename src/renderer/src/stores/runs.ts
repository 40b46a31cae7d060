import { defineStore } from 'pinia'
import { i18n } from '../i18n'
import { computed, ref, shallowRef } from 'vue'
import type { LetterTrainConfig, TrainingDone } from '@shared/schemas'
import { RUN_COLORS } from '@shared/charts/options'
import type { SweepTag } from '@shared/sweep-tag'

/** A finished letters run kept in the session for comparison and exploration. */
export interface LabRun {
  runId: string
  label: string
  config: LetterTrainConfig
  lossPoints: [number, number][]
  result: TrainingDone
  color: string
  /** The sweep the run belongs to, if any. */
  sweep?: SweepTag
}

const PALETTE = RUN_COLORS

export function describeConfig(c: LetterTrainConfig): string {
  // In the interface's language at the time the run joins the session (the label is kept).
  const t = i18n.global.t
  const layers = c.hidden.length ? c.hidden.join('-') : t('letters.runs.noHidden')
  const glyphs = c.subset ? ` ${t('letters.runs.subset', { n: c.subset.length })}` : ''
  // Named by what it trained on: an imported set by its name, never as a lab font.
  const set = c.glyphs
    ? (c.fontName ?? t('letters.runs.customSet', { n: c.glyphs.length }))
    : (c.font ?? '')
  const noise = c.noise ? ` · ${c.noise.kind} ${c.noise.level} ×${c.noise.copies}` : ''
  return `${set}${glyphs} · ${layers} · ${c.activation} · ${c.optimizer.kind} ${c.optimizer.kind === 'lbfgs' || c.optimizer.kind === 'powell' ? '' : c.learningRate}${noise}`.trim()
}

/** The session's runs; one is selected for exploration, any are shown in comparisons. */
export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<LabRun[]>([])
  const selectedId = ref<string | null>(null)
  const compared = ref<string[]>([])

  const selected = computed(() => runs.value.find((r) => r.runId === selectedId.value) ?? null)
  const comparedRuns = computed(() => runs.value.filter((r) => compared.value.includes(r.runId)))

  /** Adds a run, selected and compared (a sweep's runs are not compared: there may be many). */
  function add(run: Omit<LabRun, 'color' | 'label'>, { compare = true } = {}): void {
    const color = PALETTE[runs.value.length % PALETTE.length]!
    const label = `#${runs.value.length + 1} ${describeConfig(run.config)}`
    runs.value = [...runs.value, { ...run, color, label }]
    if (run.result.glyphs.length > 0) selectedId.value = run.runId
    if (compare) compared.value = [...compared.value, run.runId]
  }

  function remove(runId: string): void {
    runs.value = runs.value.filter((r) => r.runId !== runId)
    compared.value = compared.value.filter((id) => id !== runId)
    if (selectedId.value === runId) selectedId.value = runs.value.at(-1)?.runId ?? null
  }

  function toggleCompared(runId: string): void {
    compared.value = compared.value.includes(runId)
      ? compared.value.filter((id) => id !== runId)
      : [...compared.value, runId]
  }

  function clear(): void {
    runs.value = []
    compared.value = []
    selectedId.value = null
  }

  return { runs, selectedId, compared, selected, comparedRuns, add, remove, toggleCompared, clear }
})
