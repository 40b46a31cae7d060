import type { DenoisingSummary, RunStatus } from './schemas'
import { formatSweepValue, type SweepTag, type SweepValue } from './sweep-tag'

// A sweep's results: each run's metrics, and one row per parameter combination with the mean
// and spread over its seeds. Plain data in, plain data out (no UI): the app's results table and
// small multiples, `lab sweep`'s summary and the reports all read it.

/** What a finished run says of itself: a session's run record and a `runDone` event both fit. */
export interface RunOutcome {
  status: RunStatus
  epochs: number
  seconds: number
  finalLoss: number | null
  glyphs?: readonly { wrongPixels: number }[] | null
  denoising?: DenoisingSummary | null
}

/** A run of a sweep: its tag and its outcome. */
export interface SweepRunResult {
  runId: string
  sweep: SweepTag
  outcome: RunOutcome
}

/** The metrics a sweep compares, with how each is named in tables and charts. */
export const SWEEP_METRICS = {
  wrongPixels: { label: 'wrong pixels (all glyphs)', short: 'wrong px', digits: 2 },
  worstGlyph: { label: 'worst glyph (px)', short: 'worst glyph px', digits: 2 },
  loss: { label: 'final loss', short: 'loss', digits: 4 },
  denoisedTrainNoise: {
    label: 'denoised wrong px (training noise)',
    short: 'denoised px (train noise)',
    digits: 2
  },
  denoisedFreshNoise: {
    label: 'denoised wrong px (fresh noise)',
    short: 'denoised px (fresh noise)',
    digits: 2
  },
  epochs: { label: 'epochs', short: 'epochs', digits: 0 },
  seconds: { label: 'time (s)', short: 'time s', digits: 2 }
} as const
export type SweepMetric = keyof typeof SWEEP_METRICS
export const SWEEP_METRIC_NAMES = Object.keys(SWEEP_METRICS) as SweepMetric[]

/** A run's metrics (null where its kind has none: a VAE has no wrong pixels). */
export function runMetrics(outcome: RunOutcome): Record<SweepMetric, number | null> {
  const wrong = outcome.glyphs?.map((g) => g.wrongPixels) ?? []
  return {
    wrongPixels: wrong.length ? wrong.reduce((a, b) => a + b, 0) : null,
    worstGlyph: wrong.length ? Math.max(...wrong) : null,
    loss:
      outcome.finalLoss !== null && Number.isFinite(outcome.finalLoss) ? outcome.finalLoss : null,
    denoisedTrainNoise: outcome.denoising?.trainNoise.meanWrongAfter ?? null,
    denoisedFreshNoise: outcome.denoising?.freshNoise.meanWrongAfter ?? null,
    epochs: outcome.epochs,
    seconds: outcome.seconds
  }
}

/** Mean and spread (sample standard deviation; 0 for one value) of a metric over seeds. */
export interface Stat {
  mean: number
  spread: number
  n: number
}

export function meanSpread(values: readonly number[]): Stat | null {
  if (values.length === 0) return null
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  if (values.length === 1) return { mean, spread: 0, n: 1 }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)
  return { mean, spread: Math.sqrt(variance), n: values.length }
}

/** One parameter combination of a sweep, over its seeds. */
export interface SweepRow {
  /** The combination's values, by parameter, in the grid's order. */
  parameters: Record<string, SweepValue>
  /** A stable key of the combination. */
  key: string
  seeds: number[]
  runIds: string[]
  metrics: Record<SweepMetric, Stat | null>
}

export interface SweepTable {
  id: string
  name: string
  /** The grid's parameters, in order. */
  parameters: string[]
  /** The metrics some run of this sweep has (a VAE sweep has no wrong pixels). */
  metrics: SweepMetric[]
  rows: SweepRow[]
  /** Runs of the sweep that did not finish (stopped): shown, not counted. */
  unfinished: number
  /** How many runs the sweep planned. */
  planned: number
}

const comboKey = (parameters: Record<string, SweepValue>): string =>
  JSON.stringify(Object.entries(parameters))

/** A run counts in a sweep's table once it ran to its end (a stopped run is left out). */
export const counts = (status: RunStatus): boolean => status !== 'stopped' && status !== 'failed'

/**
 * Groups a sweep's runs by their parameter combination (in the order the sweep ran them) and
 * aggregates each metric over the seeds: one table per sweep, in order of first appearance.
 */
export function sweepTables(runs: readonly SweepRunResult[]): SweepTable[] {
  const tables = new Map<string, SweepTable>()
  const values = new Map<string, Map<SweepMetric, number[]>>()
  for (const run of [...runs].sort((a, b) => a.sweep.index - b.sweep.index)) {
    const tag = run.sweep
    let table = tables.get(tag.id)
    if (!table) {
      table = {
        id: tag.id,
        name: tag.name,
        parameters: Object.keys(tag.parameters),
        metrics: [],
        rows: [],
        unfinished: 0,
        planned: tag.runs
      }
      tables.set(tag.id, table)
    }
    if (!counts(run.outcome.status)) {
      table.unfinished++
      continue
    }
    const key = comboKey(tag.parameters)
    let row = table.rows.find((r) => r.key === key)
    if (!row) {
      row = { parameters: tag.parameters, key, seeds: [], runIds: [], metrics: emptyMetrics() }
      table.rows.push(row)
    }
    row.seeds.push(tag.seed)
    row.runIds.push(run.runId)
    const perMetric = values.get(`${tag.id}\u0000${key}`) ?? new Map<SweepMetric, number[]>()
    values.set(`${tag.id}\u0000${key}`, perMetric)
    const metrics = runMetrics(run.outcome)
    for (const name of SWEEP_METRIC_NAMES) {
      const v = metrics[name]
      if (v === null) continue
      perMetric.set(name, [...(perMetric.get(name) ?? []), v])
    }
  }
  for (const table of tables.values()) {
    const seen = new Set<SweepMetric>()
    for (const row of table.rows) {
      const perMetric = values.get(`${table.id}\u0000${row.key}`)
      for (const name of SWEEP_METRIC_NAMES) {
        row.metrics[name] = meanSpread(perMetric?.get(name) ?? [])
        if (row.metrics[name]) seen.add(name)
      }
    }
    table.metrics = SWEEP_METRIC_NAMES.filter((m) => seen.has(m))
  }
  return [...tables.values()]
}

const emptyMetrics = (): Record<SweepMetric, Stat | null> =>
  Object.fromEntries(SWEEP_METRIC_NAMES.map((m) => [m, null])) as Record<SweepMetric, Stat | null>

/** Sorts a table's rows by a parameter or a metric's mean (missing values last). */
export function sortRows(
  rows: readonly SweepRow[],
  by: { parameter: string } | { metric: SweepMetric },
  descending = false
): SweepRow[] {
  const sign = descending ? -1 : 1
  const valueOf = (row: SweepRow): number | string | null => {
    if ('metric' in by) return row.metrics[by.metric]?.mean ?? null
    const v = row.parameters[by.parameter]
    if (v === undefined || v === null) return null
    if (typeof v === 'number') return v
    // Layer lists sort by depth, then widths ([20] < [25, 15] < [25, 15, 10]).
    if (Array.isArray(v)) return v.length * 1e6 + (v[0] ?? 0)
    return String(v)
  }
  return [...rows].sort((a, b) => {
    const x = valueOf(a)
    const y = valueOf(b)
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y)
    return sign * String(x).localeCompare(String(y))
  })
}

/** "1.50 ± 0.25" (or "1.50" for a single seed), for tables and text. */
export function formatStat(stat: Stat | null, digits = 2): string {
  if (!stat) return '–'
  const mean = stat.mean.toFixed(digits)
  return stat.n > 1 ? `${mean} ± ${stat.spread.toFixed(digits)}` : mean
}

/**
 * Small multiples of one metric against one parameter: a panel per combination of the other
 * parameters, each a line of (value, mean ± spread) in the order the grid gives the values.
 */
export interface SmallMultiple {
  /** The other parameters' values, e.g. "latent = 2, noise.level = 0.5" ("" when none). */
  title: string
  points: { x: string; stat: Stat | null; runIds: string[] }[]
}

export function smallMultiples(
  table: SweepTable,
  metric: SweepMetric,
  parameter: string
): SmallMultiple[] {
  const panels = new Map<string, SmallMultiple>()
  const others = table.parameters.filter((p) => p !== parameter)
  for (const row of table.rows) {
    const title = others
      .map((p) => `${p} = ${formatSweepValue(row.parameters[p] ?? null)}`)
      .join(', ')
    let panel = panels.get(title)
    if (!panel) {
      panel = { title, points: [] }
      panels.set(title, panel)
    }
    panel.points.push({
      x: formatSweepValue(row.parameters[parameter] ?? null),
      stat: row.metrics[metric],
      runIds: row.runIds
    })
  }
  return [...panels.values()]
}
