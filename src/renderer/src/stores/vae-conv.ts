import { computed, ref, shallowRef } from 'vue'
import type { z } from 'zod'
import {
  convVaeExperimentSchema,
  MAX_CONV_FILTERS,
  MAX_CONV_LAYERS,
  type experimentSchema
} from '@shared/experiments'
import type { DatasetSummary, VaeTrainConfig } from '@shared/schemas'

// A convolutional VAE in the VAE lab (part of the VAE store): its own settings (filters per
// convolution, the dense layer) beside the VAE's, the experiment they make, and what is wrong
// with them, checked by the kind's schema and against the data set's image size.

/** What a convolutional VAE has that the dense VAE has not (its latent size is the VAE's). */
export interface ConvSettings {
  /** Filters of each convolution (stride 2: each halves the image). */
  filters: number[]
  /** Units of the dense layer before the latent statistics. */
  dense: number
}

/** The Keras VAE example's: conv 32 and 64, dense 16. */
export const defaultConv = (): ConvSettings => ({ filters: [32, 64], dense: 16 })

/** A problem with the settings: a message key (locales/<lang>/conv.json) and its values. */
export interface ConvProblem {
  key: string
  values: Record<string, string | number>
}

/** "32, 64" (or "32-64", "32 64") as filters; null if a part is not a number. */
export function parseFilters(text: string): number[] | null {
  const parts = text.split(/[-,;\s]+/).filter(Boolean)
  const filters = parts.map(Number)
  return parts.length > 0 && filters.every((n) => Number.isFinite(n)) ? filters : null
}

/** The experiment the lab starts for these settings (not yet validated). */
export function convExperiment(
  config: VaeTrainConfig,
  conv: ConvSettings
): z.input<typeof convVaeExperimentSchema> {
  const { hidden: _hidden, activation: _activation, ...rest } = config
  return { ...rest, kind: 'conv-vae', filters: [...conv.filters], dense: conv.dense }
}

/** The models the VAE lab trains: the dense VAE, the conditional one, the convolutional one. */
export type VaeModelKind = 'vae' | 'cvae' | 'conv-vae'

/** The experiment `startRun` takes for a model of the lab, its settings and a conv VAE's. */
export function experimentFor(
  model: VaeModelKind,
  config: VaeTrainConfig,
  conv: ConvSettings
): z.input<typeof experimentSchema> {
  if (model === 'conv-vae') return convExperiment(config, conv)
  return model === 'cvae' ? { ...config, kind: 'cvae' } : { ...config, kind: 'vae' }
}

/**
 * The VAE store's conv settings: the next run's filters and dense layer, the run on screen's,
 * and what stops the next run from starting on the chosen data set.
 */
export function useConvSettings(context: {
  config: () => VaeTrainConfig
  datasets: () => readonly DatasetSummary[]
}) {
  const conv = ref<ConvSettings>(defaultConv())
  const trainedConv = shallowRef<ConvSettings | null>(null)
  const convIssues = computed(() => {
    const config = context.config()
    const dataset = context.datasets().find((d) => d.id === config.dataset)
    return convProblems(config, conv.value, dataset)
  })
  return { conv, trainedConv, convIssues }
}

/**
 * Everything wrong with a convolutional VAE's settings for a data set: the schema's refusals
 * (filters, dense layer, any other field), and an image side the convolutions cannot halve
 * evenly. Empty when it can start.
 */
export function convProblems(
  config: VaeTrainConfig,
  conv: ConvSettings,
  dataset: DatasetSummary | undefined
): ConvProblem[] {
  const problems: ConvProblem[] = []
  const parsed = convVaeExperimentSchema.safeParse(convExperiment(config, conv))
  if (!parsed.success) {
    const seen = new Set<string>()
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '')
      const problem: ConvProblem =
        field === 'filters'
          ? issue.path.length > 1
            ? { key: 'conv.problem.filter', values: { max: MAX_CONV_FILTERS } }
            : { key: 'conv.problem.layers', values: { max: MAX_CONV_LAYERS } }
          : field === 'dense'
            ? {
                key: 'conv.problem.dense',
                values: { max: 'maximum' in issue ? Number(issue.maximum) : 1024 }
              }
            : { key: 'conv.problem.field', values: { field, message: issue.message } }
      if (seen.has(problem.key + field)) continue
      seen.add(problem.key + field)
      problems.push(problem)
    }
  }
  const layers = conv.filters.length
  const step = 2 ** layers
  if (dataset && layers >= 1 && layers <= MAX_CONV_LAYERS) {
    const { size } = dataset
    if (size % step !== 0 || size < step)
      problems.push({
        key: 'conv.problem.shape',
        values: {
          name: dataset.id,
          size,
          layers,
          step,
          suggest: Math.max(step, Math.round(size / step) * step)
        }
      })
  }
  if (dataset && !dataset.available)
    problems.push({ key: 'conv.problem.unavailable', values: { name: dataset.id } })
  return problems
}
