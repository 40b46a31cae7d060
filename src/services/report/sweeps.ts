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

// A lab's sweeps in a report: each sweep's results table (one row per combination, mean ±
// spread over the seeds; src/shared/sweep-results.ts, as the app and `lab sweep` show it) and
// small multiples of its main metric against its first parameter.

/** The metric a sweep's charts show: the first of these its runs have. */
const MAIN_METRICS: SweepMetric[] = ['denoisedFreshNoise', 'wrongPixels', 'loss']

export function sweepsSection(runs: readonly SessionSummary[]): string {
  const tagged: SweepRunResult[] = runs.flatMap((run) =>
    run.experiment.sweep ? [{ runId: run.id, sweep: run.experiment.sweep, outcome: run }] : []
  )
  if (tagged.length === 0) return ''
  const out: string[] = []
  for (const table of sweepTables(tagged)) {
    const head = [...table.parameters, 'seeds', ...table.metrics.map((m) => SWEEP_METRICS[m].short)]
    const rows = table.rows.map(
      (row) =>
        `<tr>${table.parameters.map((p) => `<td>${escapeHtml(formatSweepValue(row.parameters[p] ?? null))}</td>`).join('')}<td>${row.seeds.length}</td>${table.metrics
          .map((m) => `<td>${escapeHtml(formatStat(row.metrics[m], SWEEP_METRICS[m].digits))}</td>`)
          .join('')}</tr>`
    )
    const note = `${table.rows.reduce((n, r) => n + r.seeds.length, 0)} of ${table.planned} runs counted${table.unfinished ? `; ${table.unfinished} stopped, not counted` : ''}; mean ± sample standard deviation over the seeds`
    out.push(
      `<h4>Sweep “${escapeHtml(table.name)}”</h4><p class="hint">${escapeHtml(note)}</p>` +
        `<table class="metrics sweep" data-figure="sweep-table" data-sweep="${escapeHtml(table.id)}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
    )
    const metric = MAIN_METRICS.find((m) => table.metrics.includes(m))
    const parameter = table.parameters[0]
    if (metric && parameter) {
      const panels = smallMultiples(table, metric, parameter)
      const charts = panels.map((panel) =>
        chartSvg(smallMultipleOption(panel, SWEEP_METRICS[metric].short, parameter), 300, 210)
      )
      out.push(
        `<div class="figs">${charts
          .map((svg, i) =>
            figure(
              'sweep-multiple',
              panels[i]!.title || `${SWEEP_METRICS[metric].label} against ${parameter}`,
              svg
            )
          )
          .join(
            ''
          )}</div><p class="hint">${escapeHtml(`${SWEEP_METRICS[metric].label} against ${parameter}, one panel per combination of the other parameters (dashed: mean ± spread)`)}</p>`
      )
    }
  }
  return section('sweeps', out.join(''))
}
