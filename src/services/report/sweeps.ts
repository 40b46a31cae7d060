import { smallMultipleOption } from '../../shared/charts/sweep-options'
import {
  SWEEP_METRICS,
  formatStat,
  smallMultiples,
  sweepTables,
  type SweepMetric,
  type SweepRunResult
} from '../../shared/sweep-results'
import { formatSweepValue } from '../../shared/sweep-tag'
import type { SessionSummary } from '../../shared/session'
import { chartSvg } from './charts'
import { escapeHtml, figure, section } from './html'
import { words, wordsOr } from './words'

// A lab's sweeps in a report: each sweep's results table (one row per combination, mean ±
// spread over the seeds; src/shared/sweep-results.ts, as the app and `lab sweep` show it) and
// small multiples of its main metric against its first parameter.

/** The metric a sweep's charts show: the first of these its runs have. */
const MAIN_METRICS: SweepMetric[] = ['denoisedFreshNoise', 'wrongPixels', 'loss']
/** A metric's name in the report's language. */
const metricName = (m: SweepMetric, form: 'label' | 'short'): string =>
  wordsOr(`sweep.metrics.${m}.${form}`, SWEEP_METRICS[m][form])

export function sweepsSection(runs: readonly SessionSummary[]): string {
  const tagged: SweepRunResult[] = runs.flatMap((run) =>
    run.experiment.sweep ? [{ runId: run.id, sweep: run.experiment.sweep, outcome: run }] : []
  )
  if (tagged.length === 0) return ''
  const out: string[] = []
  for (const table of sweepTables(tagged)) {
    const head = [
      ...table.parameters,
      words('report.sweeps.seeds'),
      ...table.metrics.map((m) => metricName(m, 'short'))
    ]
    const rows = table.rows.map(
      (row) =>
        `<tr>${table.parameters.map((p) => `<td>${escapeHtml(formatSweepValue(row.parameters[p] ?? null))}</td>`).join('')}<td>${row.seeds.length}</td>${table.metrics
          .map((m) => `<td>${escapeHtml(formatStat(row.metrics[m], SWEEP_METRICS[m].digits))}</td>`)
          .join('')}</tr>`
    )
    const note = words(
      table.unfinished ? 'report.sweeps.countedStopped' : 'report.sweeps.counted',
      {
        counted: table.rows.reduce((n, r) => n + r.seeds.length, 0),
        planned: table.planned,
        stopped: table.unfinished
      }
    )
    out.push(
      `<h4>${escapeHtml(words('report.sweeps.heading', { name: table.name }))}</h4><p class="hint">${escapeHtml(note)}</p>` +
        `<table class="metrics sweep" data-figure="sweep-table" data-sweep="${escapeHtml(table.id)}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
    )
    const metric = MAIN_METRICS.find((m) => table.metrics.includes(m))
    const parameter = table.parameters[0]
    if (metric && parameter) {
      const panels = smallMultiples(table, metric, parameter)
      const charts = panels.map((panel) =>
        chartSvg(smallMultipleOption(panel, metricName(metric, 'short'), parameter), 300, 210)
      )
      out.push(
        `<div class="figs">${charts
          .map((svg, i) =>
            figure(
              'sweep-multiple',
              panels[i]!.title ||
                words('report.sweeps.against', { metric: metricName(metric, 'label'), parameter }),
              svg
            )
          )
          .join(
            ''
          )}</div><p class="hint">${escapeHtml(words('report.sweeps.panels', { metric: metricName(metric, 'label'), parameter }))}</p>`
      )
    }
  }
  return section('sweeps', out.join(''))
}
