import { expect, test } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

// Latent-space analysis in the letters lab (issue 17 item 4): a run with 3 latent units, the
// PCA baseline beside its plane, the traversal (a row per dimension), the plane as PCA (the
// probe decodes the point taken back) and as UMAP (the probe decodes the nearest code), and
// the run's active units in the runs list.
test('letters: PCA baseline, latent traversal and the PCA and UMAP views of a 3-D latent', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByLabel('Character set').selectOption('Font1')
  await page.getByLabel('Latent size').fill('3')
  await page.getByLabel('Epochs').fill('150')
  await page.getByLabel('Stop when every glyph has at most this many wrong pixels').fill('')
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('training-status')).toContainText('ran all 150 epochs', {
    timeout: 90_000
  })

  // PCA's plane of the same 32 glyphs, and both reconstructions' errors at 3 units.
  const baseline = page.getByTestId('pca-baseline')
  await expect(page.getByTestId('pca-chart')).toHaveAttribute('data-points', '32')
  // Labelled glyphs (crowded labels hide, so not all 32 are drawn).
  await expect(page.getByTestId('pca-chart').locator('svg text')).not.toHaveCount(0)
  const rows = baseline.getByTestId('pca-errors').locator('tbody tr')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText('autoencoder, 3 latent units')
  await expect(rows.nth(1)).toContainText('PCA, 3 components')
  await expect(page.getByTestId('runs')).toContainText(/active units [0-3]\/3/)

  // The traversal: one row per latent dimension, 9 steps each, around the mean code.
  const traversal = page.getByTestId('traversal-row')
  await expect(traversal).toHaveCount(3)
  for (let d = 0; d < 3; d++) await expect(traversal.nth(d)).toHaveAttribute('data-steps', '9')
  await expect(traversal.nth(0).getByRole('img')).toHaveCount(9)

  // The plane as PCA of the codes: a click decodes the point taken back to a 3-D code.
  const plane = page.getByTestId('latent-chart')
  await page.getByLabel('How the latent space is shown on the plane').selectOption('pca')
  await expect(page.getByTestId('projection-note')).toContainText('PCA of all 32 codes')
  await expect(plane).toHaveAttribute('data-points', '32')
  await plane.click({ position: { x: 160, y: 140 } })
  await expect(page.getByTestId('probe')).toContainText(
    /decoded at \(-?[\d.]+, -?[\d.]+, -?[\d.]+\)/
  )
  await expect(page.getByTestId('traversal')).toContainText('around the probe')

  // UMAP (seeded) has no inverse: the probe decodes the nearest code, and says so.
  await page.getByLabel('How the latent space is shown on the plane').selectOption('umap')
  await expect(page.getByTestId('projection-note')).toContainText('has no inverse', {
    timeout: 30_000
  })
  await expect(plane).toHaveAttribute('data-points', '32')
  await plane.click({ position: { x: 200, y: 160 } })
  await expect(page.getByTestId('probe')).toContainText('nearest code (')

  await baseline.scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(artifacts, 'latent-analysis.png') })
  expect(problems).toEqual([])
})
