import { expect, test, type Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, collectProblems } from './support'

// Issue 14's first walk, at the two window sizes students use: what was stale, cut off,
// unreachable by keyboard or wider than the window.

/** The page scrolls sideways by this many pixels (0 when it fits). */
const sideways = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

async function train(page: Page, runs: number): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(runs, {
    timeout: 90_000
  })
}

test('letters: originals above the compared runs, uncrowded labels, a strip that follows the run, no empty drawing', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  // A short run: its glyphs crowd the middle of the plane.
  await page.getByLabel('Epochs', { exact: true }).fill('40')
  await train(page, 1)
  // Nothing was drawn: nothing is encoded or plotted.
  await expect(page.getByTestId('drawn-result')).toContainText('Train a network, then draw')
  // Glyph labels in the plane do not overlap (they move apart, or hide behind the tooltip).
  const boxes = await page.getByTestId('latent-chart').evaluate((chart) =>
    [...chart.querySelectorAll('text')]
      .filter((t) => /bold/.test(t.getAttribute('style') ?? '') && t.textContent)
      .map((t) => {
        const r = t.getBoundingClientRect()
        return { text: t.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom }
      })
  )
  expect(boxes.length).toBeGreaterThan(3)
  const overlaps = boxes.flatMap((a, i) =>
    boxes
      .slice(i + 1)
      .filter((b) => a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1 && b.y0 < a.y1 - 1)
      .map((b) => `${a.text}/${b.text}`)
  )
  expect(overlaps).toEqual([])

  // Interpolate to the last glyph, then explore a run of three glyphs: the strip follows.
  await page.getByLabel('Epochs', { exact: true }).fill('1500')
  await train(page, 2)
  await page.getByLabel('Interpolate to glyph').selectOption({ index: 31 })
  await page.getByLabel('Glyphs to train on').fill('ABC')
  await page.getByLabel('Glyphs to train on').press('Tab')
  await train(page, 3)
  await expect(page.getByLabel('Interpolate to glyph')).toHaveValue('2')
  await expect(page.getByTestId('interpolation')).toHaveAttribute('data-glyphs', '8')
  await expect(page.getByRole('img', { name: 'step 8 of 8' })).toBeVisible()

  // The comparison shows the original glyphs above the runs' reconstructions.
  const compare = page.getByTestId('compare')
  await expect(compare.getByRole('img', { name: 'A original' })).toBeVisible()
  await expect(compare.getByRole('img', { name: /^A by #3 / })).toBeVisible()
  expect(await sideways(page)).toBe(0)
  // The loss chart of the three runs, exported: every run in its legend, none paged away.
  const lossSvg = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export loss chart as SVG' }).click()
  const svg = readFileSync((await (await lossSvg).path())!, 'utf8')
  for (const n of [1, 2, 3]) expect(svg).toContain(`>#${n} Font`)
  expect(svg).not.toMatch(/>\d+\/\d+</)
  const lossPng = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export loss chart as PNG' }).click()
  await (await lossPng).saveAs(join(artifacts, 'review-loss-export.png'))
  await page.screenshot({ path: join(artifacts, 'review-letters-1280.png'), fullPage: true })
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.screenshot({ path: join(artifacts, 'review-letters-1920.png'), fullPage: true })
  expect(problems).toEqual([])
})

test('denoising: runs compared on one noisy input, copies stated, useless noise named, nothing wider than 1280', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByRole('tab', { name: 'Denoising' }).click()
  await page.getByLabel('Noise kind').selectOption('bitflip')
  await page.getByRole('slider', { name: 'Noise level' }).fill('0.15')
  await page.getByLabel('Noisy copies per glyph').fill('5')
  await page.getByLabel('Epochs', { exact: true }).fill('300')
  await train(page, 1)
  await page.getByLabel('Latent size').fill('6')
  await train(page, 2)

  // The figures say how many noisy copies they are over, beside what training used.
  await expect(page.getByTestId('denoise-metrics')).toContainText(
    'On fresh noise, 10 new noisy copies per glyph (training used 5)'
  )
  await page.getByLabel('noise seen in training').check()
  await expect(page.getByTestId('denoise-metrics')).toContainText(
    'On the training noise, 5 noisy copies per glyph (as trained)'
  )

  // Compare runs: the original, one noisy input, and each run's denoised output of it.
  const compare = page.getByTestId('compare')
  await expect(compare.getByRole('img', { name: 'A original' })).toBeVisible()
  await expect(compare.getByRole('img', { name: 'A noisy input' })).toBeVisible()
  await expect(compare.getByRole('img', { name: /^A denoised by #1 / })).toBeVisible()
  await expect(compare.getByRole('img', { name: /^A denoised by #2 / })).toBeVisible()

  // No tab scrolls sideways at 1280x720.
  expect(await sideways(page)).toBe(0)
  await page.screenshot({ path: join(artifacts, 'review-denoising-1280.png'), fullPage: true })
  for (const tab of ['Letters', 'VAE', 'Denoising']) {
    await page.getByRole('tab', { name: tab }).click()
    expect(await sideways(page), `${tab} at 1280x720`).toBe(0)
  }

  // Bit flip at p = 0.5: the input carries no information, and the lab says so.
  await page.getByRole('slider', { name: 'Noise level' }).fill('0.5')
  await expect(page.getByRole('note')).toContainText('carries no information')
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.screenshot({ path: join(artifacts, 'review-denoising-1920.png'), fullPage: true })
  expect(problems).toEqual([])
})

test('dialogs take focus, keep it, close on Esc and give it back', async ({ page }) => {
  const problems = collectProblems(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  const trainButton = page.getByRole('button', { name: 'Train', exact: true })
  // (Enabled once the character sets have loaded: a disabled button cannot take focus.)
  await expect(trainButton).toBeEnabled()
  await trainButton.focus()
  await expect(trainButton).toBeFocused()
  await page.keyboard.press('Control+s')
  const dialog = page.getByRole('dialog', { name: 'Save the session' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByLabel('Session name')).toBeFocused()
  const focusInDialog = (): Promise<boolean> =>
    page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null)
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab')
    expect(await focusInDialog()).toBe(true)
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab')
    expect(await focusInDialog()).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(trainButton).toBeFocused()

  // Open… too; and Esc works after a click left the focus on the backdrop's page.
  const openButton = page.getByRole('button', { name: 'Open…' })
  await openButton.click()
  const open = page.getByRole('dialog', { name: 'Open a session' })
  await expect(open).toBeVisible()
  expect(await focusInDialog()).toBe(true)
  await page.keyboard.press('Escape')
  await expect(open).toBeHidden()
  await expect(openButton).toBeFocused()
  expect(problems).toEqual([])
})

test('VAE: runs kept and compared, the plane and the pad by keyboard, whole legends in exports, no error after leaving mid-hover', async ({
  page
}) => {
  test.setTimeout(300_000)
  const problems = collectProblems(page)
  // Hold back the replies with hover thumbnails (one test image each) until the test lets them go.
  const held: string[] = []
  const holdIds = new Set<number>()
  let toPage: ((message: string) => void) | null = null
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer()
    toPage = (message) => ws.send(message)
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as {
        id?: number
        name?: string
        input?: { indices?: number[] }
      }
      if (frame.name === 'datasetImages' && frame.input?.indices?.length === 1)
        holdIds.add(frame.id!)
      server.send(message)
    })
    server.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id?: number }
      if (frame.id !== undefined && holdIds.has(frame.id)) held.push(String(message))
      else ws.send(message)
    })
  })
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByRole('tab', { name: 'VAE' }).click()
  const trainVae = async (dataset: string, runs: number): Promise<void> => {
    await page.getByLabel('Data set').selectOption(dataset)
    await page.getByLabel('Training subset size').fill('2000')
    await page.getByLabel('VAE hidden layers').fill('64')
    await page.getByLabel('VAE epochs').fill('2')
    await page.getByLabel('VAE learning rate').fill('0.003')
    await page.getByLabel('VAE seed').press('Tab')
    await page.getByRole('button', { name: 'Train VAE' }).click()
    await expect(page.getByTestId('vae-runs').getByRole('listitem')).toHaveCount(runs, {
      timeout: 120_000
    })
    await expect(page.getByTestId('vae-scatter')).toHaveAttribute('data-points', '10000', {
      timeout: 60_000
    })
    await expect(page.getByTestId('vae-samples'), `samples after run ${runs}`).toHaveAttribute(
      'data-images',
      '10'
    )
  }
  await trainVae('fashion-mnist', 1)
  const scatter = page.getByTestId('vae-scatter')

  // The exported latent space names all ten classes, with no paging, at twice its size.
  const svgDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export VAE latent space as SVG' }).click()
  const svg = readFileSync((await (await svgDownload).path())!, 'utf8')
  for (const name of ['T-shirt/top', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'])
    expect(svg).toContain(`>${name}<`)
  expect(svg).not.toMatch(/>\d+\/\d+</)
  const pngDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export VAE latent space as PNG' }).click()
  await (await pngDownload).saveAs(join(artifacts, 'review-vae-latent-export.png'))
  const png = readFileSync(join(artifacts, 'review-vae-latent-export.png'))
  const box = (await scatter.boundingBox())!
  expect(png.readUInt32BE(16)).toBe(Math.round(box.width) * 2)
  expect(png.readUInt32BE(20)).toBeGreaterThan(Math.round(box.height) * 2)

  // The plane: a real label, and the probe by keyboard.
  const label = (await scatter.getAttribute('aria-label')) ?? ''
  expect(label).toContain('10000 images in 10 classes')
  expect(label).toContain('Ankle boot')
  expect(label).not.toContain('This is a chart')
  await scatter.focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('img', { name: 'decoded image at the probe' })).toBeVisible()
  const first = await page.getByTestId('vae-probe').textContent()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('vae-probe')).not.toHaveText(first ?? '')

  // The pad: pen down, a stroke down the middle, pen up: encoded.
  const pad = page.getByTestId('digit-pad')
  await pad.focus()
  await page.keyboard.press('Shift+ArrowUp')
  await page.keyboard.press('Shift+ArrowUp')
  await page.keyboard.press('Space')
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowDown')
  await page.keyboard.press('Space')
  await expect(page.getByTestId('pad-result')).toContainText('encodes to (')

  // Hover a point so its test image starts loading, leave the tab, then let the image arrive.
  const plot = (await scatter.boundingBox())!
  // Where the points lie depends on the run (the engine is picked by timing), so the pointer
  // sweeps the plot's inner area row by row until it rests on one.
  for (let y = plot.height * 0.1; y < plot.height * 0.9 && holdIds.size === 0; y += 6)
    for (let x = plot.width * 0.1; x < plot.width * 0.9 && holdIds.size === 0; x += 6)
      await page.mouse.move(plot.x + x, plot.y + y)
  expect(holdIds.size).toBeGreaterThan(0)
  // Every image asked for is held (the last one belongs to the tooltip on screen)...
  await expect.poll(() => held.length > 0 && held.length === holdIds.size).toBe(true)
  // ...when the user leaves the tab by keyboard, the pointer still over the plane.
  await page.getByRole('tab', { name: 'VAE' }).focus()
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByRole('tab', { name: 'Denoising' })).toHaveAttribute(
    'aria-selected',
    'true'
  )
  for (const message of held.splice(0)) toPage!(message)
  holdIds.clear()
  // A later reply on the same socket: by the time it shows, the held ones were handled.
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.keyboard.press('Escape')
  await page.getByRole('tab', { name: 'VAE' }).click()

  // A second run is kept beside the first: both listed, curves compared, the first explored again.
  await trainVae('mnist', 2)
  await expect(page.getByTestId('vae-curves')).toHaveAttribute('data-runs', '2')
  await page.getByRole('radio', { name: /^Explore #1 Fashion-MNIST/ }).check()
  await expect(scatter).toHaveAttribute('aria-label', /Ankle boot/)
  await expect(page.getByRole('img', { name: 'test image 0 after epoch 1' })).toBeVisible()
  await page.getByRole('checkbox', { name: /^Compare #2 MNIST/ }).uncheck()
  await expect(page.getByTestId('vae-curves')).toHaveAttribute('data-runs', '1')
  await expect(page.getByTestId('vae-samples')).toHaveAttribute('data-images', '10')
  await expect(page.getByTestId('vae-grid')).toHaveAttribute('data-images', '225')
  await page.getByRole('button', { name: /^Remove #2 MNIST/ }).click()
  await expect(page.getByTestId('vae-runs').getByRole('listitem')).toHaveCount(1)
  expect(await sideways(page)).toBe(0)
  await page.screenshot({ path: join(artifacts, 'review-vae-1280.png'), fullPage: true })
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.screenshot({ path: join(artifacts, 'review-vae-1920.png'), fullPage: true })
  expect(problems).toEqual([])
})
