import { expect, test } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

test('VAE lab: train on a Fashion-MNIST subset, see the classes, decode the plane, interpolate, sample, draw', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.goto('/')
  // The tabs work from the keyboard: arrows move between the labs.
  await page.getByRole('tab', { name: 'Letters' }).focus()
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByRole('tab', { name: 'VAE' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByRole('tab', { name: 'VAE' })).toBeFocused()
  await page.getByLabel('Data set').selectOption('fashion-mnist')
  await page.getByLabel('Training subset size').fill('3000')
  await page.getByLabel('VAE hidden layers').fill('128')
  await page.getByLabel('VAE epochs').fill('4')
  await page.getByLabel('VAE learning rate').fill('0.003')
  await page.getByLabel('VAE seed').press('Tab')
  await page.getByRole('button', { name: 'Train VAE' }).click()

  // Live curves and the fixed test reconstructions; then the scatter of the 10,000 test images.
  await expect(page.getByTestId('vae-curves')).toHaveAttribute('data-epochs', '4', {
    timeout: 90_000
  })
  await expect(page.getByRole('img', { name: 'reconstruction of test image 0' })).toBeVisible()
  // Earlier epochs stay in view, one row each.
  await expect(page.getByRole('img', { name: 'test image 0 after epoch 1' })).toBeVisible()
  await expect(page.getByRole('img', { name: /^test image 0 after epoch \d$/ })).toHaveCount(3)
  await expect(page.getByTestId('vae-status')).toContainText('ran all 4 epochs')
  // The engine the run's timed start chose, and why, in the panel and in the backend note.
  await expect(page.getByTestId('vae-engine')).toContainText(
    /Trained on (the kernels|tfjs ops).*(timed at [\d.]+ ms per step|the only engine)/
  )
  await expect(page.getByTestId('backend')).toHaveAttribute('title', /The VAE on screen trained on/)
  const scatter = page.getByTestId('vae-scatter')
  await expect(scatter).toHaveAttribute('data-points', '10000', { timeout: 30_000 })
  // The plane's accessible name lists the classes.
  const description = await scatter.getAttribute('aria-label')
  for (const name of ['T-shirt/top', 'Trouser', 'Dress', 'Sneaker', 'Ankle boot'])
    expect(description).toContain(name)
  // The run's metrics, measured as it ended: a bar of reconstruction error for each class.
  const perClass = page.getByTestId('vae-per-class-error')
  await expect(perClass.locator('tbody tr')).toHaveCount(10)
  await expect(perClass.locator('tbody tr').nth(6)).toContainText(/Shirt\s*\d+\s*0\.\d{4}/)
  await expect(page.getByTestId('vae-metrics-summary')).toContainText(/kNN accuracy.*−ELBO/)

  // Click the plane: a new image is decoded there.
  const box = (await scatter.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.55)
  await expect(page.getByRole('img', { name: 'decoded image at the probe' })).toBeVisible()

  // Interpolation path Shirt -> Dress -> Trouser, 6 steps per segment: 11 images.
  for (const name of ['Shirt', 'Dress', 'Trouser']) {
    await page
      .getByLabel('Class of the test image to add to the path')
      .selectOption({ label: name })
    await page.getByRole('button', { name: 'Add to path', exact: true }).click()
  }
  await expect(page.getByTestId('vae-path')).toHaveAttribute('data-images', '11')

  // Samples from the prior and the decode grid.
  await expect(page.getByTestId('vae-samples')).toHaveAttribute('data-images', '10')
  await expect(page.getByTestId('vae-grid')).toHaveAttribute('data-images', '225')
  await page.getByLabel("evenly over the test set's range").check()
  await expect(page.getByTestId('vae-grid')).toHaveAttribute('data-images', '225')

  // Draw on the 28x28 pad: the drawing is encoded and reconstructed.
  await page.getByTestId('digit-pad').scrollIntoViewIfNeeded()
  const pad = (await page.getByTestId('digit-pad').boundingBox())!
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15)
  await page.mouse.down()
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.85, { steps: 12 })
  await page.mouse.up()
  await expect(page.getByTestId('pad-result')).toContainText('encodes to (')

  await page.screenshot({ path: join(artifacts, 'vae.png'), fullPage: true })
  expect(problems).toEqual([])
})
