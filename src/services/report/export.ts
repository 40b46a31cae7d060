import { summariseImageSets } from '../../ml/data/summaries'
import { CLASS_NAMES, isBuiltInDataset, type Font } from '../../shared/schemas'
import { reportFileName, runRow, runRowsCsv, type ReportResult } from '../../shared/report'
import { toCsv } from '../../shared/csv'
import type { z } from 'zod'
import type { reportRequestSchema } from '../../shared/report'
import type { SessionService } from '../sessions'
import type { TrainingService } from '../training'
import { buildReport } from './index'
import { workerInference } from './inference'
import { htmlToPdf } from './pdf'

// The app's "Export report...": the session's chosen runs as the session service would save
// them, their figures computed by the models in the training workers, as HTML or as a PDF.

export interface ReportDeps {
  sessions: SessionService
  training: TrainingService
  datasetsDir: string
  importedDatasetsDir: string | null
  fonts(): Promise<Font[]>
  /** Prints HTML to PDF (Electron prints with its own Chromium; by default Playwright's). */
  printPdf?: (html: string) => Promise<Uint8Array>
  generatedBy?: string
}

export async function exportReport(
  request: z.output<typeof reportRequestSchema>,
  deps: ReportDeps,
  clientId: string
): Promise<ReportResult> {
  const { format, session: name, ...options } = request
  const session = await deps.sessions.build('session', request.runIds, clientId)
  const missing = request.runIds.filter((id) => !session.runs.some((r) => r.id === id))
  if (missing.length)
    throw new Error(
      `run ${missing.join(', ')} has not finished or is not in this session; choose finished runs`
    )
  if (format === 'csv') {
    const rows = session.runs.map((r, i) => runRow(r, i))
    const { header, body } = runRowsCsv(rows)
    return { format, fileName: reportFileName(`${name} runs`, 'csv'), text: toCsv(header, body) }
  }
  const classNames = async (dataset: string): Promise<readonly string[]> =>
    isBuiltInDataset(dataset)
      ? CLASS_NAMES[dataset]
      : ((await summariseImageSets(deps.datasetsDir, deps.importedDatasetsDir)).find(
          (s) => s.id === dataset
        )?.classNames ?? [])
  const html = await buildReport(
    { ...session, name },
    options,
    {
      inference: workerInference(deps.training, deps.datasetsDir),
      fonts: await deps.fonts(),
      classNames
    },
    deps.generatedBy
  )
  const title = options.title?.trim() || `Report ${name}`
  if (format === 'html') return { format, fileName: reportFileName(title, 'html'), html }
  const pdf = await (deps.printPdf ?? htmlToPdf)(html)
  return {
    format,
    fileName: reportFileName(title, 'pdf'),
    base64: Buffer.from(pdf).toString('base64')
  }
}
