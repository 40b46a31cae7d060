import { watch } from 'vue'
import type { RunMetrics } from '@shared/latent-analysis'
import { useLatentAnalysisStore } from '../stores/latent-analysis'

/** A kept run as the runs lists have it: its end event, which carries its metrics if measured. */
interface MeasuredRun {
  runId: string
  result: { metrics?: RunMetrics | null }
}

/**
 * Each listed run's metrics: those its record carries (measured as it ended), else asked of the
 * worker holding it once (runs of sessions saved before runs carried metrics).
 */
export function useRunMetrics(
  runs: () => readonly MeasuredRun[]
): (run: MeasuredRun) => RunMetrics | null {
  const analysis = useLatentAnalysisStore()
  watch(
    () => runs().flatMap((r) => (r.result.metrics ? [] : [r.runId])),
    (ids) => ids.forEach((id) => void analysis.load(id, null)),
    { immediate: true }
  )
  return (run) => run.result.metrics ?? analysis.metricsOf(run.runId)
}
