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

export type { ReportContext } from './types'
export { workerInference, type ReportInference } from './inference'
export { localInference } from './local-inference'

// A session's report: one self-contained HTML page, per lab its runs table, curves, latent
// planes, reconstructions, grids, paths, samples, denoising figures and comparisons, built from
// the session's run records and the runs' networks (src/ml inference, through `context`).

type Lab = 'letters' | 'denoising' | 'vae'
const LAB_TITLES: Record<Lab, string> = {
  letters: 'Letters autoencoder',
  denoising: 'Denoising autoencoder',
  vae: 'Variational autoencoder'
}

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

/** Builds the report of `session` as one HTML document. */
export async function buildReport(
  session: Pick<Session, 'name' | 'runs' | 'view'>,
  options: ReportOptions,
  context: ReportContext,
  generatedBy = 'Autoencoder Lab'
): Promise<string> {
  const runs = reportRuns(session, options.runIds)
  if (runs.length === 0) throw new Error('the report has no runs: train or choose at least one')
  const sections = new Set<ReportSection>(options.sections ?? REPORT_SECTIONS)
  const names = new Map(session.runs.map((r, i) => [r.id, runName(r, i)]))
  const colors = new Map(session.runs.map((r, i) => [r.id, RUN_COLORS[i % RUN_COLORS.length]!]))
  const title = options.title?.trim() || `Report: ${session.name}`
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
    toc.push({ id, label: LAB_TITLES[lab] })
    body.push(
      `<article class="lab" data-lab="${lab}"><h2 id="${id}"${body.length === 0 ? ' class="first"' : ''}>${escapeHtml(LAB_TITLES[lab])} <small>(${labRuns.length} run${labRuns.length === 1 ? '' : 's'})</small></h2>${table}${figures}</article>`
    )
  }
  if (sections.has('runs')) {
    const csv = runRowsCsv(rows)
    body.push(
      `<p class="downloads">Data: ${dataLink('runs.csv', 'text/csv', toCsv(csv.header, csv.body))}</p>`
    )
  }
  const meta = `Session “${session.name}” · ${runs.length} run${runs.length === 1 ? '' : 's'} · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${generatedBy}`
  return page(title, meta, options.notes?.trim() ?? '', toc.length > 1 ? toc : [], body.join('\n'))
}
