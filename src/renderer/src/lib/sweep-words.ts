import { SWEEP_METRICS, type SweepMetric } from '@shared/sweep-results'
import { i18n } from '../i18n'

/**
 * A sweep metric's name in the interface's language (locales/*\/sweep.json); a metric the locales
 * do not name yet shows its English name from src/shared/sweep-results.ts.
 */
export function metricText(metric: SweepMetric, form: 'label' | 'short'): string {
  const key = `sweep.metrics.${metric}.${form}`
  return i18n.global.te(key, 'en') ? i18n.global.t(key) : SWEEP_METRICS[metric][form]
}
