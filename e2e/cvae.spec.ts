import { expect, test } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

// The conditional VAE in the VAE lab, at 1280x720 and from the keyboard: pick the model, train
// briefly on MNIST, pick a class ("draw me a 7"): the probe decodes for it, and every class is
// drawn at the probe's latent point.
test.use({ viewport: { width: 1280, height: 720 } })

const pixels = (page: import('@playwright/test').Page, name: string): Promise<string> =>
  page.getByRole('img', { name, exact: true }).evaluate((c) => (c as HTMLCanvasElement).toDataURL())

test('conditional VAE: train, pick a class, decode the probe for it, all classes at one point', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.goto('/')
  await page.getByRole('tab', { name: 'VAE' }).click()
  await page.getByLabel('VAE model').selectOption('cvae')
  await page.getByLabel('Data set').selectOption('mnist')
  await page.getByLabel('Training subset size').fill('1024')
  await page.getByLabel('VAE hidden layers').fill('64')
  await page.getByLabel('VAE epochs').fill('2')
  await page.getByLabel('VAE learning rate').fill('0.003')
  await page.getByLabel('VAE seed').press('Tab')
  await page.getByRole('button', { name: 'Train conditional VAE' }).click()
  await expect(page.getByTestId('vae-status')).toContainText('ran all 2 epochs', {
    timeout: 90_000
  })
  await expect(page.getByTestId('vae-scatter')).toHaveAttribute('data-points', '10000')

  // Every class at one latent point (the prior's mean until the probe moves).
  const grid = page.getByTestId('cvae-class-grid')
  await expect(grid).toHaveAttribute('data-images', '10')
  await expect(
    page.getByRole('heading', { name: /Every class at the probe's point/ })
  ).toContainText('(0.00, 0.00)')

  // The probe, moved from the keyboard, decodes for the class picked.
  const scatter = page.getByTestId('vae-scatter')
  const box = (await scatter.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5)
  await expect(page.getByRole('img', { name: 'decoded image at the probe' })).toBeVisible()
  await expect(
    page.getByRole('heading', { name: /Every class at the probe's point/ })
  ).not.toContainText('(0.00, 0.00)')
  const asZero = await pixels(page, 'decoded image at the probe')
  const picker = page.getByLabel('Class the conditional VAE draws')
  await picker.focus()
  await picker.selectOption('7')
  await expect(page.getByTestId('cvae-class')).toHaveText('7')
  await expect
    .poll(() => pixels(page, 'decoded image at the probe'), { timeout: 30_000 })
    .not.toBe(asZero)
  await expect(page.getByRole('button', { name: '7: draw this class' })).toHaveAttribute(
    'aria-pressed',
    'true'
  )
  // A class picked in the grid, from the keyboard.
  await page.getByRole('button', { name: '3: draw this class' }).focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('cvae-class')).toHaveText('3')
  await expect(page.getByTestId('vae-samples')).toHaveAttribute('data-images', '10')

  await page.getByTestId('cvae-classes').scrollIntoViewIfNeeded()
  await expect(grid).toBeInViewport()
  await page.screenshot({ path: join(artifacts, 'cvae.png') })
  expect(problems).toEqual([])
})
