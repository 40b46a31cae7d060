import { expect, test } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, collectProblems, e2eDir, openReportOffline } from './support'

// Export a report from the app and read it as a user would: opened from disk in Chromium with
// every network request refused.
test('export the report of a letters run and open it offline', async ({ page, browser }) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByLabel('Character set').selectOption('Font2')
  await page.getByLabel('Epochs').fill('300')
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled({ timeout: 90_000 })
  await expect(page.getByTestId('latent-chart')).toHaveAttribute('data-points', '32')

  // The dialog fits the window and is used from the keyboard: the title has focus first.
  await page.getByTestId('export-report').click()
  const dialog = page.getByRole('dialog', { name: 'Export report' })
  const box = (await dialog.boundingBox())!
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(720)
  await expect(page.getByLabel('Report title')).toBeFocused()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type('Letters study')
  await page.keyboard.press('Tab')
  await page.keyboard.type('The 2-D codes of Font2 after 300 epochs.')
  await dialog.getByRole('checkbox', { name: 'Noise sweeps' }).uncheck()
  await dialog.getByRole('checkbox', { name: 'New samples' }).uncheck()
  const downloading = page.waitForEvent('download')
  await page.getByLabel('Report title').press('Enter')
  const download = await downloading
  expect(download.suggestedFilename()).toBe('Letters-study.html')
  const file = join(artifacts, 'report.html')
  await download.saveAs(file)
  await expect(dialog).toBeHidden()

  // Offline: any request the report made would be refused and counted.
  const { context, report, requests } = await openReportOffline(browser, file)
  await expect(report.getByRole('heading', { level: 1 })).toHaveText('Letters study')
  await expect(report.getByTestId('report-notes')).toContainText('after 300 epochs')
  const runs = report.getByTestId('runs-table')
  await expect(runs.locator('tbody tr')).toHaveCount(1)
  await expect(runs).toContainText('35-64-32-2-32-64-35')
  await expect(runs).toContainText('adam lr 0.02')
  for (const name of ['loss', 'latent-plane', 'reconstructions', 'decode-grid', 'interpolation'])
    await expect(report.locator(`[data-figure="${name}"] svg`).first()).toBeVisible()
  await expect(report.locator('[data-figure="samples"]')).toHaveCount(0)
  // The latent plane names the glyphs, as in the app.
  const labels = await report.locator('[data-figure="latent-plane"] svg text').allTextContents()
  for (const char of ['A', 'M', 'Z']) expect(labels).toContain(char)
  await report.screenshot({ path: join(e2eDir, '../docs/screenshot-report.png') })
  expect(requests).toEqual([])
  expect(readFileSync(file, 'utf8')).not.toMatch(/(src|href)="(?!data:|#)/)
  await context.close()
  expect(problems).toEqual([])
})
