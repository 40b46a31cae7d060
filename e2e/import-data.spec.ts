import { expect, test } from '@playwright/test'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { mulberry32 } from '../src/shared/random'
import { artifacts, collectProblems } from './support'

// Bring your own data (issue 16's done-when): a folder of 320 PNGs in 4 class folders, made here
// with sharp, is imported through the dialog at 12x12 (preview grid, class counts, split,
// report), a convolutional VAE trains on it (settings refused, then accepted; its progress and
// Stop, which keeps the finished epochs), the plane is coloured by the folders' classes, the
// probe, grid, samples, path, pad and traversal decode 12x12 images, and the session saves,
// reloads and reopens with the run and its images.

const CLASSES = ['disc', 'ring', 'bar', 'cross'] as const
const PER_CLASS = 80
const SIDE = 28
/** The size the set is imported at (the convolutional VAE halves it twice: 12 -> 6 -> 3). */
const SIZE = 12

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

test('import an image folder in the app, train a convolutional VAE on it, explore, save and reopen', async ({
  page
}, testInfo) => {
  // The longest walk of the import: a conv VAE trains, stops, explores, saves and reopens.
  test.setTimeout(240_000)
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
  // A small size keeps the convolutional VAE quick; the preview follows it.
  await dialog.getByLabel('Image size').fill(String(SIZE))
  await dialog.getByLabel('Image size').press('Tab')
  await expect.poll(() => grid.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(8 * SIZE)
  await page.screenshot({ path: join(artifacts, 'import-dialog.png') })

  await dialog.getByRole('button', { name: 'Import', exact: true }).click()
  const report = dialog.getByTestId('import-report')
  await expect(report).toContainText(
    `Imported "shapes": 272 training + 48 test images, ${SIZE}×${SIZE} grey, 4 classes`
  )
  await expect(report).toContainText('Nothing was skipped.')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()

  // Listed beside MNIST (with its image size) and selected; a convolutional VAE trains on it.
  await expect(page.getByLabel('Data set')).toHaveValue('shapes')
  await expect(page.getByLabel('Data set').locator('option[value="shapes"]')).toHaveText(
    `shapes (320 images, ${SIZE}×${SIZE} grey)`
  )
  await page.getByLabel('VAE model').selectOption('conv-vae')
  await expect(page.getByLabel('VAE hidden layers')).toBeHidden()
  const train = page.getByRole('button', { name: 'Train conv VAE' })
  // A layer of 999 filters, five layers, three stride-2 layers on 12x12 images (12 does not
  // divide by 8): each refusal is said, and Train waits for settings that work.
  const filters = page.getByLabel('Filters per convolutional layer')
  await filters.fill('8, 999')
  await filters.press('Tab')
  const issues = page.getByTestId('conv-issues')
  await expect(issues).toContainText('Each conv layer takes 1 to 256 filters')
  await expect(train).toBeDisabled()
  await filters.fill('8, 16, 32, 64, 128')
  await filters.press('Tab')
  await expect(issues).toContainText('Give 1 to 4 conv layers')
  await expect(train).toBeDisabled()
  await filters.fill('8, 16, 32')
  await filters.press('Tab')
  await expect(issues).toContainText(
    `3 conv layers halve the image 3 times, so its side must divide by 8; "shapes" has ${SIZE}×${SIZE} images: use fewer layers, or import it again at size 16`
  )
  await expect(train).toBeDisabled()
  await filters.fill('8, 16')
  await filters.press('Tab')
  await expect(issues).toBeHidden()
  await page.getByLabel('Convolutional VAE dense layer size').fill('16')
  await expect(page.getByTestId('conv-chain')).toContainText(
    `${SIZE}×${SIZE}×1 → 6×6×8 → 3×3×16 → 16 → 2`
  )
  await page.getByLabel('Training subset size').fill('272')
  await page.getByLabel('VAE epochs').fill('200')
  await page.getByLabel('Batch size').fill('16')
  await page.getByLabel('VAE learning rate').fill('0.003')
  await page.getByLabel('VAE seed').press('Tab')
  await train.click()

  // A slow network is visibly alive: a progress bar, the epoch and batch, the time left; Stop
  // keeps the epochs finished so far, which explore and save like a finished run.
  const progress = page.getByTestId('vae-progress')
  await expect(progress.getByRole('progressbar', { name: 'Training progress' })).toBeVisible()
  await expect(progress.getByTestId('vae-progress-where')).toContainText(/Epoch \d+ of 200/, {
    timeout: 60_000
  })
  await expect(progress.getByTestId('vae-stop-keeps')).toContainText(
    /Stop keeps the (?:[2-9]|\d\d+) finished epoch/,
    { timeout: 90_000 }
  )
  await expect(progress.getByTestId('vae-progress-time')).toContainText('left')
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.screenshot({ path: join(artifacts, 'conv-vae-training.png') })
  await page.getByRole('button', { name: 'Stop', exact: true }).click()
  await expect(page.getByTestId('vae-status')).toContainText('stopped by the user during epoch', {
    timeout: 60_000
  })
  await expect(progress).toBeHidden()
  const runs = page.getByTestId('vae-runs').getByRole('listitem')
  await expect(runs).toHaveCount(1)
  await expect(runs.first()).toContainText('convolutional · shapes · 272 images · conv 8-16')

  // The plane holds the 48 test images, coloured by the folders' classes; a click decodes.
  const scatter = page.getByTestId('vae-scatter')
  await expect(scatter).toHaveAttribute('data-points', '48', { timeout: 30_000 })
  const description = (await scatter.getAttribute('aria-label')) ?? ''
  for (const name of CLASSES) expect(description).toContain(name)
  const box = (await scatter.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5)
  const probeImage = page.getByRole('img', { name: 'decoded image at the probe' })
  await expect(probeImage).toBeVisible()
  expect(await probeImage.getAttribute('width')).toBe(String(SIZE))

  // Everything on screen decodes 12x12 images: the grid, the prior samples, a path through
  // two classes' test images, the traversal, and the drawing pad (a grey set: 12x12 too).
  const decodeGrid = page.getByTestId('vae-grid')
  await expect(decodeGrid).toHaveAttribute('data-images', '225')
  expect(await decodeGrid.getAttribute('width')).toBe(String(15 * SIZE))
  await expect(page.getByTestId('vae-samples')).toHaveAttribute('data-images', '10')
  await page.getByLabel('Class of the test image to add to the path').selectOption('disc')
  await page.getByRole('button', { name: 'Add to path' }).click()
  await page.getByLabel('Class of the test image to add to the path').selectOption('bar')
  await page.getByRole('button', { name: 'Add to path' }).click()
  await expect(page.getByTestId('vae-path')).not.toHaveAttribute('data-images', '0')
  expect(
    await page
      .getByRole('img', { name: 'path image 1 of', exact: false })
      .first()
      .getAttribute('width')
  ).toBe(String(SIZE))
  await expect(page.getByTestId('vae-traversal-row')).toHaveCount(2)
  const pad = page.getByTestId('digit-pad')
  expect(await pad.getAttribute('width')).toBe(String(SIZE))
  const padBox = (await pad.boundingBox())!
  await page.mouse.move(padBox.x + padBox.width * 0.3, padBox.y + padBox.height * 0.5)
  await page.mouse.down()
  await page.mouse.move(padBox.x + padBox.width * 0.7, padBox.y + padBox.height * 0.5, {
    steps: 8
  })
  await page.mouse.up()
  await expect(page.getByTestId('pad-result')).toBeVisible()
  expect(
    await page.getByRole('img', { name: 'reconstruction of your drawing' }).getAttribute('width')
  ).toBe(String(SIZE))
  await page.screenshot({ path: join(artifacts, 'conv-vae-lab.png') })
  await page.screenshot({ path: join(artifacts, 'conv-vae-lab-full.png'), fullPage: true })

  // Save the session, reload (a fresh lab), reopen: the run, its plane and its images are back.
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
  await expect(page.getByTestId('vae-runs').getByRole('listitem')).toContainText('conv 8-16')
  await expect(page.getByTestId('vae-scatter')).toHaveAttribute('data-points', '48', {
    timeout: 30_000
  })
  expect(await page.getByTestId('vae-scatter').getAttribute('aria-label')).toContain('cross')
  await expect(page.getByLabel('VAE model')).toHaveValue('conv-vae')
  await expect(filters).toHaveValue('8, 16')
  await expect(page.getByTestId('vae-grid')).toHaveAttribute('data-images', '225')
  expect(await page.getByTestId('vae-grid').getAttribute('width')).toBe(String(15 * SIZE))
  await expect(page.getByTestId('vae-path')).not.toHaveAttribute('data-images', '0')
  await expect(probeImage).toBeVisible()
  expect(await probeImage.getAttribute('width')).toBe(String(SIZE))
  await expect(page.getByRole('img', { name: 'reconstruction of test image 0' })).toBeVisible()

  await page.screenshot({ path: join(artifacts, 'import-data.png'), fullPage: true })
  expect(problems).toEqual([])
})
