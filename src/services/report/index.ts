import { toCsv } from '../../shared/csv'
import { kindFamily } from '../../shared/experiments'
import {
  REPORT_SECTIONS,
  runData,
  runRow,
  runRowsCsv,
  type ReportOptions,
  type ReportSection
} from '../../shared/report'
import type { Session, SessionSummary } from '../../shared/session'
import { RUN_COLORS } from '../../shared/charts/options'
import { glyphLab } from './glyph-lab'
import { dataLink, escapeHtml, page, runsTable, section } from './html'
import type { LabPart, ReportContext } from './types'
import { vaeLab } from './vae-lab'
import { sweepsSection } from './sweeps'
import { inLanguage, words } from './words'

export type { ReportContext } from './types'
export { workerInference, type ReportInference } from './inference'
export { localInference } from './local-inference'

// A session's report: one self-contained HTML page, per lab its runs table, curves, latent
// planes, reconstructions, grids, paths, samples, denoising figures and comparisons, built from
// the session's run records and the runs' networks (src/ml inference, through `context`).

type Lab = 'letters' | 'denoising' | 'vae'
/** A lab's heading in the report's language. */
const labTitle = (lab: Lab): string => words(`report.labs.${lab}`)
/** "3 runs" in the report's language. */
const runCount = (n: number): string =>
  n === 1 ? words('report.page.oneRun') : words('report.page.runs', { n })

/** Which lab shows a run: glyph runs with noise are the denoising lab's. */
function labOf(run: SessionSummary): Lab {
  if (kindFamily[run.experiment.kind] === 'images') return 'vae'
  return 'noise' in run.experiment && run.experiment.noise ? 'denoising' : 'letters'
}

/** The runs a report covers: those asked for (every one named must exist), in the session's order. */
export function reportRuns(
  session: Pick<Session, 'runs'>,
  runIds?: readonly string[]
): SessionSummary[] {
  if (!runIds) return session.runs
  const missing = runIds.filter((id) => !session.runs.some((r) => r.id === id))
  if (missing.length)
    throw new Error(
      `the session has no run ${missing.join(', ')} (its runs: ${session.runs.map((r) => r.id).join(', ') || 'none'})`
    )
  return session.runs.filter((r) => runIds.includes(r.id))
}

/** A run's name in the report: its number in the session and what it is. */
function runName(run: SessionSummary, index: number): string {
  const e = run.experiment
  // A convolutional VAE names its filters where the dense networks name their hidden layers.
  const hidden =
    'filters' in e
      ? `conv ${e.filters.join('-')}`
      : e.hidden.length
        ? e.hidden.join('-')
        : 'no hidden'
  return `#${index + 1} ${e.name ?? `${runData(e).split(';')[0]} · ${hidden} · latent ${e.latent}`}`
}

/** Builds the report of `session` as one HTML document, in `options.language` (English by default). */
export async function buildReport(
  session: Pick<Session, 'name' | 'runs' | 'view'>,
  options: ReportOptions,
  context: ReportContext,
  generatedBy = 'Autoencoder Lab'
): Promise<string> {
  return inLanguage(options.language ?? 'en', () => build(session, options, context, generatedBy))
}

async function build(
  session: Pick<Session, 'name' | 'runs' | 'view'>,
  options: ReportOptions,
  context: ReportContext,
  generatedBy: string
): Promise<string> {
  const runs = reportRuns(session, options.runIds)
  if (runs.length === 0) throw new Error('the report has no runs: train or choose at least one')
  const sections = new Set<ReportSection>(options.sections ?? REPORT_SECTIONS)
  const names = new Map(session.runs.map((r, i) => [r.id, runName(r, i)]))
  const colors = new Map(session.runs.map((r, i) => [r.id, RUN_COLORS[i % RUN_COLORS.length]!]))
  const title = options.title?.trim() || words('report.page.title', { session: session.name })
  const rows = session.runs
    .map((r, i) => ({ ...runRow(r, i), name: names.get(r.id)! }))
    .filter((row) => runs.some((r) => r.id === row.id))

  const body: string[] = []
  const toc: { id: string; label: string }[] = []
  for (const lab of ['letters', 'denoising', 'vae'] as const) {
    const labRuns = runs.filter((r) => labOf(r) === lab)
    if (labRuns.length === 0) continue
    const part: LabPart = { runs: labRuns, view: session.view, sections, context, names, colors }
    const tableRows = rows.filter((row) => labRuns.some((r) => r.id === row.id))
    const table =
      (sections.has('runs') ? section('runs', runsTable(tableRows)) : '') +
      (sections.has('sweeps') ? sweepsSection(labRuns) : '')
    const figures = lab === 'vae' ? await vaeLab(part) : await glyphLab(part, lab === 'denoising')
    const id = `lab-${lab}`
    toc.push({ id, label: labTitle(lab) })
    body.push(
      `<article class="lab" data-lab="${lab}"><h2 id="${id}"${body.length === 0 ? ' class="first"' : ''}>${escapeHtml(labTitle(lab))} <small>(${escapeHtml(runCount(labRuns.length))})</small></h2>${table}${figures}</article>`
    )
  }
  if (sections.has('runs')) {
    const csv = runRowsCsv(rows)
    body.push(
      `<p class="downloads">${escapeHtml(words('report.page.data'))} ${dataLink('runs.csv', 'text/csv', toCsv(csv.header, csv.body))}</p>`
    )
  }
  const meta = words('report.page.meta', {
    session: session.name,
    runs: runCount(runs.length),
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    by: generatedBy
  })
  return page(title, meta, options.notes?.trim() ?? '', toc.length > 1 ? toc : [], body.join('\n'))
}
