import { z } from 'zod'
import { gridOf, gridPixels, runIdSchema } from './schemas'
import type { Experiment } from './experiments'
import type { RunMetrics } from './latent-analysis'
import type { SessionSummary } from './session'

// A session's report: the sections one can pick, the request for one (the app's "Export
// report..." and `lab report`), and the runs table both the report and the runs CSV are made of.

export const REPORT_SECTIONS = [
  'runs',
  'sweeps',
  'loss',
  'latent',
  'reconstructions',
  'decode-grid',
  'interpolation',
  'samples',
  'denoising',
  'noise-sweep',
  'vae-scatter',
  'vae-images',
  'compare'
] as const
export const reportSectionSchema = z.enum(REPORT_SECTIONS)
export type ReportSection = z.infer<typeof reportSectionSchema>

/** What each section shows, as the app's dialog and `lab report --help` name it. */
export const SECTION_TITLES: Record<ReportSection, string> = {
  runs: 'Runs table',
  sweeps: 'Sweeps (results tables, small multiples)',
  loss: 'Loss curves',
  latent: 'Latent planes',
  reconstructions: 'Reconstructions',
  'decode-grid': 'Decode grids',
  interpolation: 'Interpolation paths',
  samples: 'New samples',
  denoising: 'Denoising triplets and metrics',
  'noise-sweep': 'Noise sweeps',
  'vae-scatter': 'VAE latent scatter',
  'vae-images': 'VAE reconstructions by epoch',
  compare: 'Comparison of runs'
}

/** The languages a report is written in (the interface's; `lab report --lang`). */
export const REPORT_LANGUAGES = ['en', 'es'] as const
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number]

export const reportOptionsSchema = z.strictObject({
  title: z.string().trim().max(200).optional(),
  /** The language of the report's headings and captions; English when absent. */
  language: z.enum(REPORT_LANGUAGES).optional(),
  notes: z.string().max(20_000).optional(),
  /** The runs to include (all of the session's when absent), in the session's order. */
  runIds: z.array(runIdSchema).max(500).optional(),
  sections: z.array(reportSectionSchema).min(1).max(REPORT_SECTIONS.length).optional()
})
export type ReportOptions = z.output<typeof reportOptionsSchema>

/** The app's request: the report of these runs of the open session, as HTML or PDF. */
export const reportRequestSchema = reportOptionsSchema.extend({
  runIds: z.array(runIdSchema).min(1).max(500),
  /** The session's name as the page shows it ("Untitled session" before its first save). */
  session: z.string().trim().min(1).max(200).default('Untitled session'),
  /** `csv`: the runs table alone, as CSV. */
  format: z.enum(['html', 'pdf', 'csv'])
})
export const reportResultSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('html'), fileName: z.string(), html: z.string() }),
  z.object({ format: z.literal('pdf'), fileName: z.string(), base64: z.string() }),
  z.object({ format: z.literal('csv'), fileName: z.string(), text: z.string() })
])
export type ReportResult = z.output<typeof reportResultSchema>

/** A file name from a report title: letters, digits and dashes. */
export function reportFileName(title: string, extension: 'html' | 'pdf' | 'csv'): string {
  const stem = title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60)
  return `${stem || 'report'}.${extension}`
}

const optimizerText = (e: Experiment): string => {
  const o = e.optimizer
  const settings =
    o.kind === 'adam'
      ? `β1 ${o.beta1}, β2 ${o.beta2}`
      : o.kind === 'sgd'
        ? `momentum ${o.momentum}${o.nesterov ? ', Nesterov' : ''}`
        : o.kind === 'rmsprop'
          ? `decay ${o.decay}, momentum ${o.momentum}`
          : o.kind === 'lbfgs'
            ? `history ${o.history}`
            : ''
  const rate = o.kind === 'lbfgs' || o.kind === 'powell' ? '' : ` lr ${e.learningRate}`
  const schedule = e.schedule.kind === 'constant' ? '' : `, ${e.schedule.kind} schedule`
  const batch = 'dataset' in e ? `, batch ${e.batchSize}` : ''
  return `${o.kind}${rate}${settings ? ` (${settings})` : ''}${schedule}${batch}`
}

/** What a run trained on: a lab font, an imported or drawn glyph set, or an image data set. */
export function runData(e: Experiment): string {
  if ('dataset' in e) return `${e.dataset} (${e.trainSize.toLocaleString('en-US')} images)`
  const set = e.glyphs ? (e.fontName ?? `custom set of ${e.glyphs.length}`) : (e.font ?? '')
  const subset = e.subset ? `, ${e.subset.length} glyphs` : ''
  const noise = e.noise
    ? `; ${e.noise.kind} ${e.noise.level} ×${e.noise.copies}${e.noise.fresh ? ' fresh' : ''}`
    : ''
  return `${set}${subset}${noise}`
}

/** The layer sizes from input to output, e.g. 35-64-32-2-32-64-35. */
export function runArchitecture(e: Experiment): string {
  // A convolutional VAE: its filters, dense layer and latent (the decoder mirrors them).
  if ('filters' in e) return `conv ${e.filters.join('-')}, dense ${e.dense}, latent ${e.latent}`
  const input = 'dataset' in e ? 784 : gridPixels(gridOf(e))
  const decoder =
    'dataset' in e ? [...e.hidden].reverse() : (e.decoderHidden ?? [...e.hidden].reverse())
  return [input, ...e.hidden, e.latent, ...decoder, input].join('-')
}

export interface RunRow {
  id: string
  name: string
  kind: string
  data: string
  architecture: string
  activation: string
  optimizer: string
  epochs: string
  seconds: number
  backend: string
  /** Letters: the worst glyph's wrong pixels; a VAE: its final loss (negative ELBO per image). */
  result: string
  seed: number
  status: string
  /** Further per-run metrics a record carries (kNN accuracy, active units, ...), by name. */
  metrics: Record<string, string>
}

/**
 * A run's measured metrics as the runs table's columns (only those it has): active latent units,
 * kNN class accuracy of its codes, the mean per-class reconstruction error's worst class, a
 * VAE's test negative ELBO and its two parts, and how many codes they are over.
 */
export function metricColumns(m: RunMetrics | null | undefined): Record<string, string> {
  if (!m) return {}
  const columns: Record<string, string> = {
    'active units': `${m.activeUnits.count} of ${m.activeUnits.variances.length}`
  }
  if (m.knn) columns[`kNN accuracy (k ${m.knn.k})`] = `${(m.knn.accuracy * 100).toFixed(1)}%`
  if (m.perClass?.length) {
    const worst = m.perClass.reduce((a, b) => (b.error > a.error ? b : a))
    columns['worst class error (MSE)'] = `${worst.error.toFixed(4)} (class ${worst.label})`
  }
  if (m.elbo) {
    columns['test −ELBO'] = m.elbo.negativeElbo.toFixed(1)
    columns['reconstruction + KL'] = `${m.elbo.reconstruction.toFixed(1)} + ${m.elbo.kl.toFixed(1)}`
  }
  if (m.knn || m.elbo) columns['measured on'] = `${m.codes.toLocaleString('en-US')} test images`
  return columns
}

/** One line of the runs table for a run record. */
export function runRow(run: SessionSummary, index: number): RunRow {
  const e = run.experiment
  const asked = e.epochs
  const worst = run.glyphs?.length ? Math.max(...run.glyphs.map((g) => g.wrongPixels)) : null
  const result =
    'dataset' in e
      ? run.finalLoss === null
        ? '–'
        : `loss ${run.finalLoss.toFixed(2)}`
      : worst === null
        ? '–'
        : `${worst} wrong px (worst glyph)`
  // Metrics a record carries since runs measure them as they end (absent in older sessions).
  const metrics = metricColumns(run.metrics)
  return {
    id: run.id,
    name: e.name ?? `#${index + 1}`,
    kind: e.kind,
    data: runData(e),
    architecture: runArchitecture(e),
    activation:
      'filters' in e
        ? 'relu'
        : 'dataset' in e
          ? e.activation
          : `${e.activation}${e.latentActivation !== 'linear' ? `, latent ${e.latentActivation}` : ''}`,
    optimizer: optimizerText(e),
    epochs: `${run.epochs} of ${asked}`,
    seconds: run.seconds,
    backend: run.environment.backend,
    result,
    seed: e.seed,
    status: run.status,
    metrics
  }
}

/** The runs table as CSV columns (the same table the report shows). */
export function runRowsCsv(rows: readonly RunRow[]): {
  header: string[]
  body: (string | number)[][]
} {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))]
  const header = [
    'run',
    'name',
    'kind',
    'data',
    'architecture',
    'activation',
    'optimizer',
    'epochs',
    'seconds',
    'backend',
    'result',
    'seed',
    'status',
    ...metricNames
  ]
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.kind,
    r.data,
    r.architecture,
    r.activation,
    r.optimizer,
    r.epochs,
    Number(r.seconds.toFixed(3)),
    r.backend,
    r.result,
    r.seed,
    r.status,
    ...metricNames.map((m) => r.metrics[m] ?? '')
  ])
  return { header, body }
}
