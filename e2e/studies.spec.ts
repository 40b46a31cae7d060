import { expect, test, type Browser, type Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, collectProblems, e2eDir, openReportOffline } from './support'

// Issue 17, items 2-3 and its done-when: the intermediate-layers study from the Studies gallery
// runs as a sweep (its quick variant), the results table fills with one row per layer list, the
// chart of wrong pixels against the layers is drawn; then the report is exported (some sections
// chosen, a title and notes) and opened from disk in Chromium with every request refused, and
// has the runs table with the sweep's runs and every chosen figure. Each step is a function
// taking the interface's words (`WORDS`), so the same walk runs in another language.

/** The interface's words the walk looks for (English; another language gives its own). */
export interface StudyWalkWords {
  studies: string
  runQuick: RegExp
  lettersTab: string
  /** The sweep's progress line while its runs go. */
  progress: RegExp
  reportTitle: string
  reportNotes: string
}
export const WORDS: StudyWalkWords = {
  studies: 'Studies',
  runQuick: /Run quick/,
  lettersTab: 'Letters',
  progress: /run \d of 6/,
  reportTitle: 'Report title',
  reportNotes: 'Report notes'
}

export async function runIntermediateLayersStudy(page: Page, words = WORDS): Promise<void> {
  await page.getByRole('button', { name: words.studies }).click()
  const gallery = page.getByRole('dialog', { name: words.studies })
  await expect(gallery.getByTestId('study-intermediate-layers')).toContainText('1b')
  await gallery
    .getByTestId('study-intermediate-layers')
    .getByRole('button', { name: words.runQuick })
    .click()
  await expect(gallery).toBeHidden()
  // The study runs in the letters lab, as one sweep of 3 layer lists x 2 seeds.
  await expect(page.getByRole('tab', { name: words.lettersTab })).toHaveAttribute(
    'aria-selected',
    'true'
  )
  await expect(page.getByTestId('sweep-progress')).toContainText(words.progress)
}

export async function seeTheResults(page: Page): Promise<void> {
  const results = page.getByTestId('sweep-results')
  await expect(results.getByTestId('sweep-summary')).toContainText('6 of 6 runs finished', {
    timeout: 120_000
  })
  const table = results.getByTestId('sweep-table')
  await expect(table.locator('tbody tr')).toHaveCount(3)
  await expect(table.locator('tbody tr').first()).toContainText('[20]')
  // Mean ± spread over the two seeds.
  await expect(table.locator('tbody tr').first()).toContainText(/\d+\.\d\d ± \d+\.\d\d/)
  await expect(results.getByTestId('study-note')).toContainText('1b: intermediate layers')
  await expect(results.getByTestId('sweep-multiples')).toHaveAttribute('data-panels', '1')
  await expect(results.getByLabel('Chart metric')).toHaveValue('wrongPixels')
  await expect(results.getByLabel('Chart parameter')).toHaveValue('hidden')
  // Sortable by any column: the layers, descending on a second click.
  const layers = table.getByRole('columnheader', { name: 'hidden' })
  await layers.getByRole('button').click()
  await layers.getByRole('button').click()
  await expect(layers).toHaveAttribute('aria-sort', 'descending')
  await expect(table.locator('tbody tr').first()).toContainText('[25, 15, 10]')
  // The best combination goes on screen for exploring.
  await results.getByRole('button', { name: 'Explore the best combination' }).click()
  await expect(table.locator('tbody tr.explored')).toHaveCount(1)
}

/** The sections the walk picks for its report; the others are left out. */
const CHOSEN = ['runs', 'sweeps', 'loss', 'latent', 'reconstructions', 'decode-grid'] as const
const LEFT_OUT = ['interpolation', 'samples', 'denoising', 'noise-sweep', 'compare'] as const

/** Exports the report of the session's runs from the app; returns the saved file's path. */
export async function exportStudyReport(
  page: Page,
  report: { title: string; notes: string; file: string },
  words = WORDS
): Promise<string> {
  await page.getByTestId('export-report').click()
  const dialog = page.getByTestId('report-dialog')
  await expect(page.getByLabel(words.reportTitle)).toBeFocused()
  await page.getByLabel(words.reportTitle).fill(report.title)
  await page.getByLabel(words.reportNotes).fill(report.notes)
  // Sections by their id (the checkbox's value), whatever the interface's language.
  for (const name of LEFT_OUT) await dialog.locator(`input[value="${name}"]`).uncheck()
  for (const name of CHOSEN) await expect(dialog.locator(`input[value="${name}"]`)).toBeChecked()
  const downloading = page.waitForEvent('download')
  await page.getByLabel(words.reportTitle).press('Enter')
  const download = await downloading
  const file = join(artifacts, report.file)
  await download.saveAs(file)
  await expect(dialog).toBeHidden()
  return file
}

/**
 * Opens the report from disk in a fresh Chromium context with every network request aborted and
 * counted (none may be made), and checks the runs table (the sweep's 6 runs), the sweep's
 * results and every chosen figure; saves a screenshot of it where asked.
 */
export async function readReportOffline(
  browser: Browser,
  file: string,
  expected: { title: string; notes: string; screenshot?: string }
): Promise<void> {
  const { context, report, requests } = await openReportOffline(browser, file)
  await expect(report.getByRole('heading', { level: 1 })).toHaveText(expected.title)
  await expect(report.getByTestId('report-notes')).toHaveText(expected.notes)
  const runs = report.getByTestId('runs-table')
  await expect(runs.locator('tbody tr')).toHaveCount(6)
  for (const layers of ['35-20-2-20-35', '35-25-15-2-15-25-35', '35-25-15-10-2-10-15-25-35'])
    await expect(runs.locator('tbody tr', { hasText: layers })).toHaveCount(2)
  // The sweep: one row per layer list, and its small multiple of wrong pixels against them.
  const sweep = report.locator('[data-figure="sweep-table"]')
  await expect(sweep).toHaveAttribute('data-sweep', /.+/)
  await expect(sweep.locator('tbody tr')).toHaveCount(3)
  await expect(report.locator('[data-figure="sweep-multiple"] svg')).toHaveCount(1)
  // Every chosen figure, and each run's latent plane, reconstructions and decode grid.
  await expect(report.locator('[data-figure="loss"] svg')).toHaveCount(1)
  for (const name of ['latent-plane', 'reconstructions', 'wrong-pixels', 'decode-grid'])
    await expect(report.locator(`[data-figure="${name}"]`)).toHaveCount(6)
  for (const name of ['latent-plane', 'wrong-pixels'])
    await expect(report.locator(`[data-figure="${name}"] svg`).first()).toBeVisible()
  await expect(
    report.locator('[data-figure="decode-grid"] svg, [data-figure="decode-grid"] img').first()
  ).toBeVisible()
  for (const name of LEFT_OUT)
    await expect(report.locator(`[data-section="${name}"]`)).toHaveCount(0)
  if (expected.screenshot) await report.screenshot({ path: expected.screenshot })
  expect(requests).toEqual([])
  // Self-contained: nothing but data: URIs and in-page anchors.
  expect(readFileSync(file, 'utf8')).not.toMatch(/(src|href)="(?!data:|#)/)
  await context.close()
}

test('the intermediate-layers study runs from the gallery as a sweep; its report opens offline', async ({
  page,
  browser
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled()
  await runIntermediateLayersStudy(page)
  await seeTheResults(page)
  await page.getByTestId('sweep-results').scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(artifacts, 'studies-sweep-1280.png') })
  const report = {
    title: 'Intermediate layers',
    notes: 'Part 1b: 20, 25-15 and 25-15-10 against the original glyphs, two seeds each.'
  }
  const file = await exportStudyReport(page, { ...report, file: 'report-study.html' })
  await readReportOffline(browser, file, {
    ...report,
    screenshot: join(e2eDir, '../docs/screenshot-report-study.png')
  })
  expect(problems).toEqual([])
})

// The same walk in Spanish (issue 17, done-when): the interface switched to Español, the study
// run from the gallery with the Spanish words, its results in Spanish, the report exported from
// the Spanish dialog and read offline by the same checks, then its Spanish headings.
const ES_WORDS: StudyWalkWords = {
  studies: 'Estudios',
  runQuick: /Ejecutar versión rápida/,
  lettersTab: 'Letras',
  progress: /ejecución \d de 6/,
  reportTitle: 'Título del informe',
  reportNotes: 'Notas del informe'
}

test('in Spanish: the study runs from the gallery, and its report opens offline in Spanish', async ({
  page,
  browser
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByTestId('language').selectOption('es')
  await expect(page.locator('html')).toHaveAttribute('lang', 'es-AR')
  await runIntermediateLayersStudy(page, ES_WORDS)

  const results = page.getByTestId('sweep-results')
  await expect(results.getByTestId('sweep-summary')).toContainText(
    '6 de 6 ejecuciones terminadas',
    { timeout: 120_000 }
  )
  await expect(results.getByTestId('sweep-table').locator('tbody tr')).toHaveCount(3)
  await expect(results.getByTestId('study-note')).toContainText('1b: capas intermedias')
  await expect(results.getByLabel('Métrica del gráfico')).toHaveValue('wrongPixels')
  await expect(results.getByRole('button', { name: 'Explorar la mejor combinación' })).toBeVisible()

  const report = {
    title: 'Capas intermedias',
    notes: 'Parte 1b: 20, 25-15 y 25-15-10 contra los glifos originales, dos semillas cada una.'
  }
  const file = await exportStudyReport(page, { ...report, file: 'informe-estudio.html' }, ES_WORDS)
  await readReportOffline(browser, file, {
    ...report,
    screenshot: join(e2eDir, '../docs/screenshot-report-es.png')
  })
  // The report is in Spanish: its language, headings, runs table and sweep.
  const html = readFileSync(file, 'utf8')
  expect(html).toContain('<html lang="es-AR">')
  for (const text of [
    'Autoencoder de letras <small>(6 ejecuciones)</small>',
    '<h3>Tabla de ejecuciones</h3>',
    '<h3>Barridos (tablas de resultados, múltiplos pequeños)</h3>',
    '<h3>Curvas de pérdida</h3>',
    '<h3>Planos latentes</h3>',
    '<th>Ejecución</th><th>Datos</th><th>Arquitectura</th><th>Activación</th>',
    '<th>semillas</th>',
    'Barrido “'
  ])
    expect(html).toContain(text)
  for (const english of ['Runs table', 'Letters autoencoder', '<th>Architecture</th>'])
    expect(html).not.toContain(english)
  expect(problems).toEqual([])
})
