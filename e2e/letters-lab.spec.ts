import { expect, test, type Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

async function train(
  page: Page,
  settings: { hidden?: string; glyphs?: string } = {}
): Promise<void> {
  if (settings.hidden) await page.getByLabel('Hidden layers').fill(settings.hidden)
  await page.getByLabel('Glyphs to train on').fill(settings.glyphs ?? '')
  await page.getByLabel('Hidden layers').press('Tab')
  const runs = page.getByTestId('runs').getByRole('listitem')
  const before = await runs.count()
  await page.getByRole('button', { name: 'Train' }).click()
  // A finished run joins the list (a small run can finish before the button is seen disabled).
  await expect(runs).toHaveCount(before + 1, { timeout: 90_000 })
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled()
}

const cell = (page: Page, row: number, col: number) =>
  page.getByRole('gridcell', { name: `row ${row}, column ${col}` })

test('a new user explores the letters lab: draw, probe, grid, subset, compare, export', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.goto('/')
  await expect(page.getByTestId('backend')).toContainText('backend')

  // Train the default recipe on Font2; it stops once every glyph is within 1 wrong pixel.
  await train(page)
  await expect(page.getByTestId('verdict')).toContainText('Pass')
  await expect(page.getByTestId('latent-chart')).toHaveAttribute('data-points', '32')

  // Draw an L pixel by pixel: its code and reconstruction appear, with the nearest glyph.
  for (let row = 1; row <= 7; row++) await cell(page, row, 1).click()
  for (let col = 2; col <= 5; col++) await cell(page, 7, col).click()
  await expect(cell(page, 7, 5)).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('nearest')).toContainText(
    'nearest training glyph: L, 0 pixels apart'
  )
  await expect(page.getByTestId('drawn-point')).toContainText('latent (')
  await expect(page.getByTestId('latent-chart').locator('svg path')).not.toHaveCount(0)
  // Undo the last pixel from the keyboard.
  await page.getByTestId('pixel-editor').focus()
  await page.keyboard.press('Control+z')
  await expect(cell(page, 7, 5)).toHaveAttribute('aria-pressed', 'false')
  await expect(page.getByTestId('nearest')).toContainText('L, 1 pixel apart')
  await page.keyboard.press('Control+Shift+z')
  await expect(cell(page, 7, 5)).toHaveAttribute('aria-pressed', 'true')

  // Click the latent plane: a new letter is decoded there; dragging moves it.
  const plane = page.getByTestId('latent-chart')
  const box = (await plane.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.45)
  await expect(page.getByTestId('probe')).toContainText('decoded at')
  const first = await page.getByTestId('probe').textContent()
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 })
  await page.mouse.up()
  await expect(page.getByTestId('probe')).not.toHaveText(first ?? '')
  await expect(
    page.getByTestId('probe').getByRole('img', { name: 'decoded letter at the probe' })
  ).toBeVisible()

  // The decode grid and the interpolation strip.
  await expect(page.getByTestId('decode-grid')).toHaveAttribute('data-glyphs', '144')
  await page.getByLabel('Decode grid size').fill('20')
  await expect(page.getByTestId('decode-grid')).toHaveAttribute('data-glyphs', '400')
  await expect(page.getByTestId('interpolation')).toHaveAttribute('data-glyphs', '8')
  await page.screenshot({ path: join(artifacts, 'letters-lab-explore.png'), fullPage: true })

  // Each optimizer shows its own settings.
  await page.getByLabel('Optimizer', { exact: true }).selectOption({ label: 'SGD with momentum' })
  await expect(page.getByLabel('SGD momentum')).toHaveValue('0.9')
  await page.getByLabel('Optimizer', { exact: true }).selectOption({ label: 'L-BFGS (full batch)' })
  await expect(page.getByLabel('L-BFGS history')).toHaveValue('10')
  await page.getByLabel('Optimizer', { exact: true }).selectOption({ label: 'Adam' })
  await expect(page.getByLabel('Adam beta 1')).toHaveValue('0.9')

  // Train on a subset, then another architecture, and compare.
  await train(page, { glyphs: 'ABCDEFGH' })
  await expect(
    page.getByTestId('reconstructions').getByRole('img', { name: /reconstruction$/ })
  ).toHaveCount(8)
  await train(page, { hidden: '25', glyphs: '' })
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(3)
  await expect(page.getByTestId('compare')).toHaveAttribute('data-runs', '3')
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-series', '3')

  // Export a chart as PNG and SVG, and the results as CSV.
  const png = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export loss chart as PNG' }).click()
  const pngFile = await (await png).path()
  expect(readFileSync(pngFile).subarray(1, 4).toString()).toBe('PNG')
  const svg = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export latent space as SVG' }).click()
  const svgDownload = await svg
  expect(svgDownload.suggestedFilename()).toBe('latent-space.svg')
  expect(readFileSync(await svgDownload.path(), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/)
  const csv = page.waitForEvent('download')
  await page.getByRole('button', { name: 'CSV' }).click()
  const csvText = readFileSync(await (await csv).path(), 'utf8')
  expect(csvText.split('\r\n')[0]).toMatch(/^char,wrong_pixels,z1,z2,out_0/)
  expect(csvText.trim().split('\r\n')).toHaveLength(33)

  await page.screenshot({ path: join(artifacts, 'letters-lab-compare.png'), fullPage: true })

  // Hovering a glyph's point shows the glyph (its label sits just above the point).
  await page.getByTestId('latent-chart').scrollIntoViewIfNeeded()
  const label = page.getByTestId('latent-chart').locator('svg text', { hasText: /^M$/ }).first()
  const labelBox = (await label.boundingBox())!
  const tooltipImages = page.locator('img[src^="data:image/svg+xml"]')
  for (let dy = 4; dy <= 20 && (await tooltipImages.count()) === 0; dy += 2) {
    await page.mouse.move(labelBox.x + labelBox.width / 2, labelBox.y + labelBox.height + dy, {
      steps: 2
    })
  }
  await page.screenshot({ path: join(artifacts, 'hover.png') })
  await expect(tooltipImages).toHaveCount(2)

  // Two drawn glyphs become a custom set that trains like a font.
  await page.getByRole('button', { name: 'Clear' }).click()
  for (let row = 1; row <= 7; row++) await cell(page, row, 3).click()
  await page.getByLabel('Label for the drawn glyph').fill('|')
  await page.getByRole('button', { name: 'Add to custom set' }).click()
  await page.getByRole('button', { name: 'Clear' }).click()
  for (let col = 1; col <= 5; col++) await cell(page, 4, col).click()
  await page.getByLabel('Label for the drawn glyph').fill('-')
  await page.getByRole('button', { name: 'Add to custom set' }).click()
  await expect(page.getByTestId('custom-set').getByRole('listitem')).toHaveCount(2)
  await page.getByLabel('Character set').selectOption({ label: 'Custom set (2 drawn glyphs)' })
  await train(page)
  await expect(
    page.getByTestId('reconstructions').getByRole('img', { name: /reconstruction$/ })
  ).toHaveCount(2)
  await expect(
    page.getByTestId('reconstructions').getByRole('img', { name: '| original' })
  ).toBeVisible()
  await expect(page.getByTestId('runs')).toContainText('Custom set of 2')
  expect(problems).toEqual([])
})
