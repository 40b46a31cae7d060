import { expect, test, type Page } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

// Issue 17, items 2-3: the intermediate-layers study from the Studies gallery runs as a sweep
// (its quick variant), the results table fills with one row per layer list, and the chart of
// wrong pixels against the layers is drawn. Each step is a function, so later walks (exporting
// the report, the same walk in Spanish) can add theirs after these.

export async function runIntermediateLayersStudy(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Studies' }).click()
  const gallery = page.getByRole('dialog', { name: 'Studies' })
  await expect(gallery.getByTestId('study-intermediate-layers')).toContainText('1b: intermediate')
  await gallery
    .getByTestId('study-intermediate-layers')
    .getByRole('button', { name: /Run quick/ })
    .click()
  await expect(gallery).toBeHidden()
  // The study runs in the letters lab, as one sweep of 3 layer lists x 2 seeds.
  await expect(page.getByRole('tab', { name: 'Letters' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('sweep-progress')).toContainText(/run \d of 6/)
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

test('the intermediate-layers study runs from the gallery as a sweep and fills its table', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled()
  await runIntermediateLayersStudy(page)
  await seeTheResults(page)
  await page.getByTestId('sweep-results').scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(artifacts, 'studies-sweep-1280.png') })
  expect(problems).toEqual([])
})
