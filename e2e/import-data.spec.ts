import { expect, test } from '@playwright/test'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { mulberry32 } from '../src/shared/random'
import { artifacts, collectProblems } from './support'

// Bring your own data: a folder of 320 PNGs in 4 class folders, made here with sharp, is
// imported through the dialog (preview grid, class counts, split, report), a VAE trains on it,
// the plane is coloured by the folders' classes and decodes, and the session saves and reopens.

const CLASSES = ['disc', 'ring', 'bar', 'cross'] as const
const PER_CLASS = 80
const SIDE = 28

/** A 28x28 grey shape of its class, jittered in place and size. */
function draw(shape: (typeof CLASSES)[number], random: () => number): Buffer {
  const pixels = Buffer.alloc(SIDE * SIDE)
  const cx = 14 + (random() - 0.5) * 6
  const cy = 14 + (random() - 0.5) * 6
  const r = 6 + random() * 4
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) {
      const d = Math.hypot(x - cx, y - cy)
      const on =
        shape === 'disc'
          ? d < r
          : shape === 'ring'
            ? Math.abs(d - r) < 1.6
            : shape === 'bar'
              ? Math.abs(y - cy) < 2 && Math.abs(x - cx) < r
              : (Math.abs(y - cy) < 1.6 || Math.abs(x - cx) < 1.6) && d < r
      pixels[y * SIDE + x] = on ? 230 : 10
    }
  return pixels
}

async function writeShapes(dir: string): Promise<void> {
  const random = mulberry32(16)
  for (const shape of CLASSES) {
    mkdirSync(join(dir, shape), { recursive: true })
    for (let i = 0; i < PER_CLASS; i++)
      await sharp(draw(shape, random), { raw: { width: SIDE, height: SIDE, channels: 1 } })
        .png()
        .toFile(join(dir, shape, `${shape}-${i}.png`))
  }
}

test('import an image folder in the app, train a VAE on it, explore, save and reopen', async ({
  page
}, testInfo) => {
  const problems = collectProblems(page)
  const folder = join(testInfo.outputPath(), 'shapes')
  rmSync(folder, { recursive: true, force: true })
  await writeShapes(folder)

  await page.goto('/')
  await page.getByRole('tab', { name: 'VAE' }).click()
  await page.getByRole('button', { name: 'Import data set…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Import data set' })
  // The browser host: the folder is chosen in the page and uploaded.
  await dialog.getByLabel('Folder of class folders to import').setInputFiles(folder)

  // Before confirming: counts per class, the split, and a grid of each class's images.
  await expect(dialog.getByTestId('import-summary')).toContainText(
    'shapes (image-folder): 320 images in 4 classes → 272 training + 48 test (seeded 85/15 split)'
  )
  const counts = dialog.getByTestId('import-counts')
  for (const name of CLASSES)
    await expect(counts.getByRole('row', { name: new RegExp(`^${name} 80 68 12$`) })).toBeVisible()
  const grid = dialog.getByTestId('import-grid')
  await expect(grid).toHaveAttribute('data-rows', '4')
  expect(await grid.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(8 * SIDE)
  await expect(dialog.getByLabel('Data set name')).toHaveValue('shapes')
  await page.screenshot({ path: join(artifacts, 'import-dialog.png') })

  await dialog.getByRole('button', { name: 'Import', exact: true }).click()
  const report = dialog.getByTestId('import-report')
  await expect(report).toContainText(
    'Imported "shapes": 272 training + 48 test images, 28×28 grey, 4 classes'
  )
  await expect(report).toContainText('Nothing was skipped.')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()

  // Listed beside MNIST and selected; a VAE trains on it.
  await expect(page.getByLabel('Data set')).toHaveValue('shapes')
  await page.getByLabel('Training subset size').fill('272')
  await page.getByLabel('VAE hidden layers').fill('64')
  await page.getByLabel('VAE epochs').fill('8')
  await page.getByLabel('Batch size').fill('16')
  await page.getByLabel('VAE learning rate').fill('0.003')
  await page.getByLabel('VAE seed').press('Tab')
  await page.getByRole('button', { name: 'Train VAE' }).click()
  await expect(page.getByTestId('vae-status')).toContainText('ran all 8 epochs', {
    timeout: 90_000
  })

  // The plane holds the 48 test images, coloured by the folders' classes; a click decodes.
  const scatter = page.getByTestId('vae-scatter')
  await expect(scatter).toHaveAttribute('data-points', '48', { timeout: 30_000 })
  const description = (await scatter.getAttribute('aria-label')) ?? ''
  for (const name of CLASSES) expect(description).toContain(name)
  const box = (await scatter.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5)
  await expect(page.getByRole('img', { name: 'decoded image at the probe' })).toBeVisible()

  // Save the session, reload (a fresh lab), reopen: the run and its plane are back.
  await page.getByRole('button', { name: 'Save As…' }).click()
  await page.getByLabel('Session name').fill('my shapes')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('my shapes')
  await page.reload()
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'my shapes' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('my shapes')
  await page.getByRole('tab', { name: 'VAE' }).click()
  await expect(page.getByTestId('vae-runs').getByRole('listitem')).toHaveCount(1)
  await expect(page.getByTestId('vae-scatter')).toHaveAttribute('data-points', '48', {
    timeout: 30_000
  })
  expect(await page.getByTestId('vae-scatter').getAttribute('aria-label')).toContain('cross')

  await page.screenshot({ path: join(artifacts, 'import-data.png'), fullPage: true })
  expect(problems).toEqual([])
})
