import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { loadFonts, useImportedDatasets } from '../ml/data/datasets'
import { importedDatasetsRoot } from '../ml/data/imported'
import { CLASS_NAMES, isBuiltInDataset } from '../shared/schemas'
import { summariseImageSets } from '../ml/data/summaries'
import { datasetsDir } from '../services/paths'
import { buildReport, localInference } from '../services/report'
import { htmlToPdf } from '../services/report/pdf'
import { readSession } from '../services/session-file'
import { labVersions } from '../services/versions'
import { describeIssues } from '../shared/contract'
import { REPORT_LANGUAGES, REPORT_SECTIONS, reportOptionsSchema } from '../shared/report'
import { flag, option } from './args'
import { workspaceOf } from './import-data'

// `lab report <session.aelab> [--out report.html] [--pdf] [--runs id,id] [--sections ...]
// [--title T] [--notes N] [--lang en|es]`: the session's report as one self-contained HTML file
// (and a PDF), its headings in English or Spanish (the CLI's own messages stay English).

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export async function report(args: readonly string[]): Promise<void> {
  const file = args[0]
  if (!file) throw new Error('usage: lab report <session.aelab> [options]')
  const notesArg = option(args, '--notes')
  // `--notes @notes.md` reads the notes from a file.
  const notes =
    notesArg?.startsWith('@') === true
      ? await readFile(notesArg.slice(1), 'utf8').catch(() => {
          throw new Error(`--notes: cannot read ${notesArg.slice(1)}`)
        })
      : notesArg
  const parsed = reportOptionsSchema.safeParse({
    title: option(args, '--title'),
    notes,
    runIds: list(option(args, '--runs')),
    sections: list(option(args, '--sections')),
    language: option(args, '--lang')
  })
  if (!parsed.success)
    throw new Error(
      `${describeIssues(parsed.error)} (sections: ${REPORT_SECTIONS.join(', ')}; runs: run ids as "lab eval" lists them; --lang: ${REPORT_LANGUAGES.join(' or ')})`
    )
  const session = await readSession(file)
  const imported = importedDatasetsRoot(workspaceOf(option(args, '--workspace')))
  useImportedDatasets(imported)
  const dir = datasetsDir()
  const inference = localInference(session.runs, dir)
  const fonts = await loadFonts(dir)
  let summaries: Awaited<ReturnType<typeof summariseImageSets>> | null = null
  const classNames = async (dataset: string): Promise<readonly string[]> => {
    if (isBuiltInDataset(dataset)) return CLASS_NAMES[dataset]
    summaries ??= await summariseImageSets(dir, imported)
    return summaries.find((s) => s.id === dataset)?.classNames ?? []
  }
  let html: string
  try {
    html = await buildReport(
      session,
      parsed.data,
      { inference, fonts, classNames },
      `Autoencoder Lab ${labVersions()['lab'] ?? ''}`.trim()
    )
  } finally {
    // The backend's threads would keep Node alive; it was loaded only if a figure needed it.
    if (await inference.dispose()) (await import('../ml/backend')).releaseBackend()
  }
  const out = resolve(
    option(args, '--out') ?? join(dirname(file), `${basename(file, extname(file))}-report.html`)
  )
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, html)
  process.stdout.write(`report written to ${out} (${Math.ceil(html.length / 1024)} KB)\n`)
  if (flag(args, '--pdf')) {
    const pdfPath = out.replace(/\.html?$/i, '') + '.pdf'
    const pdf = await htmlToPdf(html)
    await writeFile(pdfPath, pdf)
    process.stdout.write(`PDF written to ${pdfPath} (${Math.ceil(pdf.length / 1024)} KB)\n`)
  }
}
