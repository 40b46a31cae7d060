import { expect, test } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

test('denoising lab: set the noise, train, see triplets, sweep, and denoise a drawing', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.goto('/')
  await page.getByRole('tab', { name: 'Denoising' }).click()

  // Noise controls and the preview of a glyph's noisy versions.
  await page.getByLabel('Noise kind').selectOption('bitflip')
  await page.getByRole('slider', { name: 'Noise level' }).fill('0.15')
  await page.getByLabel('Noisy copies per glyph').fill('10')
  await expect(page.getByTestId('noise-preview').getByRole('img')).toHaveCount(7)
  await expect(
    page.getByTestId('noise-preview').getByRole('img', { name: 'A noisy 1' })
  ).toBeVisible()

  await page.getByLabel('Latent size').fill('8')
  await page.getByLabel('Epochs').fill('400')
  await page.getByLabel('Stop when every glyph has at most this many wrong pixels').fill('')
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1, { timeout: 90_000 })

  // Triplets for every glyph, on fresh noise and on the training noise, with metrics.
  await expect(page.getByTestId('triplets')).toHaveAttribute('data-count', '32')
  await expect(page.getByTestId('triplets').getByRole('img', { name: 'A denoised' })).toBeVisible()
  await expect(page.getByTestId('denoise-metrics')).toContainText(
    /wrong pixels \d+\.\d+ before → \d+\.\d+ after denoising/
  )
  const fresh = await page.getByTestId('denoise-metrics').textContent()
  await page.getByLabel('noise seen in training').check()
  await expect(page.getByTestId('denoise-metrics')).not.toHaveText(fresh ?? '')

  // A sweep over noise levels draws its curve.
  await page.getByRole('button', { name: /Sweep the selected run/ }).click()
  await expect(page.getByTestId('sweep-chart')).toHaveAttribute('data-series', '1', {
    timeout: 60_000
  })

  // Noise a drawing and see it denoised by the trained network.
  await page.getByLabel('Load a glyph into the editor').selectOption({ label: 'A' })
  await page.getByRole('button', { name: 'Add noise' }).click()
  await expect(page.getByRole('img', { name: 'denoised drawing' })).toBeVisible()
  await expect(page.getByTestId('nearest')).toContainText('nearest training glyph')

  await page.screenshot({ path: join(artifacts, 'denoising.png'), fullPage: true })
  expect(problems).toEqual([])
})
