import { defineStore } from 'pinia'
import { i18n } from '../i18n'
import { ref, shallowRef } from 'vue'
import type { LatentAnalysis, ProjectionMethod, RunMetrics } from '@shared/latent-analysis'
import { labClient } from '../api/client'

/** How a latent space wider than two is shown: two chosen dimensions, or a projection. */
export type LatentView = 'dims' | ProjectionMethod

const keyOf = (runId: string, projection: ProjectionMethod | null): string =>
  `${runId}\u0000${projection ?? ''}`

/**
 * Each run's latent analysis (metrics, PCA baseline, projection), asked of the worker that holds
 * the run once per run and projection and kept: the runs lists show the metrics, the latent
 * views the baseline and projections. A failed request is said once, per run.
 */
export const useLatentAnalysisStore = defineStore('latent-analysis', () => {
  const analyses = shallowRef<ReadonlyMap<string, LatentAnalysis>>(new Map())
  const errors = ref<Record<string, string>>({})
  const pending = new Map<string, Promise<LatentAnalysis | null>>()

  function get(runId: string | null, projection: ProjectionMethod | null): LatentAnalysis | null {
    return runId ? (analyses.value.get(keyOf(runId, projection)) ?? null) : null
  }

  /** The run's metrics, from any analysis of it already here. */
  function metricsOf(runId: string): RunMetrics | null {
    for (const [key, a] of analyses.value) if (key.startsWith(`${runId}\u0000`)) return a.metrics
    return null
  }

  /** Asks for the analysis (once per run and projection); null when it failed (see `errors`). */
  function load(
    runId: string,
    projection: ProjectionMethod | null
  ): Promise<LatentAnalysis | null> {
    const key = keyOf(runId, projection)
    const have = analyses.value.get(key)
    if (have) return Promise.resolve(have)
    let request = pending.get(key)
    if (!request) {
      request = labClient()
        .request('latentAnalysis', { runId, projection })
        .then((analysis) => {
          analyses.value = new Map(analyses.value).set(key, analysis)
          const { [key]: _done, ...rest } = errors.value
          errors.value = rest
          return analysis
        })
        .catch((e: unknown) => {
          errors.value = { ...errors.value, [key]: e instanceof Error ? e.message : String(e) }
          return null
        })
        .finally(() => pending.delete(key))
      pending.set(key, request)
    }
    return request
  }

  function errorOf(runId: string | null, projection: ProjectionMethod | null): string | null {
    return runId ? (errors.value[keyOf(runId, projection)] ?? null) : null
  }

  return { analyses, get, metricsOf, load, errorOf }
})

/** A run's metrics in a few words for a runs list: "active 2/2 · kNN 0.91 · −ELBO 160.2". */
export function metricsSummary(m: RunMetrics | null): string {
  if (!m) return ''
  const t = i18n.global.t
  const parts = [
    t('shared.metrics.activeUnits', {
      count: m.activeUnits.count,
      total: m.activeUnits.variances.length
    })
  ]
  if (m.knn) parts.push(`kNN ${(m.knn.accuracy * 100).toFixed(1)}%`)
  if (m.elbo)
    parts.push(
      `−ELBO ${m.elbo.negativeElbo.toFixed(1)} (rec ${m.elbo.reconstruction.toFixed(1)} + KL ${m.elbo.kl.toFixed(1)})`
    )
  return parts.join(' · ')
}
