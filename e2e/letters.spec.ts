import { expect, test } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

test('train Font2 from the UI and see the latent scatter and the reconstructions', async ({
  page
}) => {
  const problems = collectProblems(page)

  await page.goto('/')
  await expect(page.getByTestId('backend')).toContainText(/backend: (wasm|cpu|tensorflow)/)
  await page.getByLabel('Character set').selectOption('Font2')
  await page.getByLabel('Epochs').fill('400')
  // No early stop: the run trains exactly 400 epochs.
  await page.getByLabel('Stop when every glyph has at most this many wrong pixels').fill('')
  await page.getByRole('button', { name: 'Train' }).click()

  // The loss curve fills while training runs.
  await expect(page.getByTestId('loss-chart')).not.toHaveAttribute('data-points', '0')
  await expect(page.getByTestId('training-status')).toContainText(/epochs|every glyph/, {
    timeout: 60_000
  })
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled({ timeout: 90_000 })

  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '400')
  await expect(page.getByTestId('training-status')).toContainText('ran all 400 epochs')

  // 32 labelled points in the latent plane.
  const latent = page.getByTestId('latent-chart')
  await expect(latent).toHaveAttribute('data-points', '32')
  const labels = await latent.locator('svg text').allTextContents()
  for (const char of ['@', 'A', 'M', 'Z', '_']) expect(labels).toContain(char)
  // Each glyph's original beside its reconstruction.
  const reconstructions = page.getByTestId('reconstructions')
  await expect(reconstructions.getByRole('img', { name: /reconstruction$/ })).toHaveCount(32)
  await expect(reconstructions.getByRole('img', { name: 'A original' })).toBeVisible()
  await expect(reconstructions.getByRole('img', { name: 'A reconstruction' })).toBeVisible()

  await page.screenshot({ path: join(artifacts, 'letters-font2.png'), fullPage: true })
  expect(problems).toEqual([])
})
