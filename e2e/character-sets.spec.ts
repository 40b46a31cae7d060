import { expect, test, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { artifacts, collectProblems, e2eDir } from './support'

const workspace = process.env['LAB_E2E_WORKSPACE']!
const fontH = join(e2eDir, '../test/fixtures/font.h')

/** Trains and waits until the run is listed (a short letters run can end within milliseconds). */
async function trainAndWait(page: Page, runs: number): Promise<void> {
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(runs, {
    timeout: 90_000
  })
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled()
}

test('the stop rule takes 0 to 35, clears to "no early stop", and the verdict states it', async ({
  page
}) => {
  const problems = collectProblems(page)
  await page.goto('/')
  await page.getByLabel('Character set').selectOption('Font2')
  await page.getByLabel('Epochs').fill('40')
  const stop = page.getByLabel('Stop when every glyph has at most this many wrong pixels')

  await stop.fill('0')
  await expect(stop).toHaveValue('0')
  await trainAndWait(page, 1)
  await expect(stop).toHaveValue('0')
  await expect(page.getByTestId('verdict')).toContainText('(criterion: at most 0)')

  // Cleared, then set again.
  await stop.fill('')
  await expect(stop).toHaveValue('')
  await expect(stop).toHaveAttribute('placeholder', 'no early stop')
  await stop.fill('3')
  await expect(stop).toHaveValue('3')
  await trainAndWait(page, 2)
  await expect(page.getByTestId('verdict')).toContainText('(criterion: at most 3)')

  // No early stop: the run goes to its last epoch, and the verdict does not pretend otherwise.
  await stop.fill('')
  await trainAndWait(page, 3)
  await expect(page.getByTestId('training-status')).toContainText('ran all 40 epochs')
  await expect(page.getByTestId('verdict')).toContainText(
    "(no early stop; judged by the course's bar, at most 1)"
  )
  expect(problems).toEqual([])
})

test('character sets: a course font.h trained from the CLI and imported in the app, saved and reopened', async ({
  page
}) => {
  const problems = collectProblems(page)
  const answers: boolean[] = []
  const prompts: string[] = []
  page.on('dialog', (d) => {
    prompts.push(d.message())
    void (answers.shift() === false ? d.dismiss() : d.accept())
  })

  // The command line trains on one array of the header, named relative to the experiment file.
  const experiment = join(artifacts, 'from-header.json')
  writeFileSync(
    experiment,
    JSON.stringify({
      kind: 'autoencoder',
      fontFile: '../../test/fixtures/font.h',
      fontName: 'Font3',
      hidden: [64, 32],
      latent: 2,
      activation: 'tanh',
      learningRate: 0.02,
      epochs: 3000,
      maxWrongPixels: 1,
      seed: 2
    })
  )
  const cli = (...args: string[]): string =>
    execFileSync(process.execPath, [join(e2eDir, '../bin/lab.mjs'), ...args], { encoding: 'utf8' })
  cli('train', experiment, '--out', join(workspace, 'from header.aelab'), '--quiet')
  expect(cli('eval', join(workspace, 'from header.aelab'))).toMatch(
    /Font3 \(font\.h\) \(32 glyphs\)[\s\S]*wrong pixels per glyph\s+`:\d+ a:\d+ b:\d+/
  )

  await page.goto('/')
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'from header' }).click()
  await expect(page.getByTestId('runs')).toContainText('Font3 (font.h) · 64-32')
  await expect(page.getByTestId('runs')).not.toContainText('Font1')
  await expect(page.getByTestId('verdict')).toContainText('Pass')
  await expect(
    page.getByTestId('reconstructions').getByRole('img', { name: 'a original' })
  ).toBeVisible()

  // In the app: "Import character set…" with the course's header.
  await page.getByRole('button', { name: 'New', exact: true }).click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Import character set…' }).click()
  await (await chooser).setFiles(fontH)
  const sets = page.getByRole('list', { name: 'Imported character sets' })
  await expect(sets.getByRole('listitem')).toHaveCount(3)
  await expect(sets).toContainText('Font1 (font.h)')
  await expect(
    page.getByRole('status').filter({ hasText: 'Imported Font1 (font.h)' })
  ).toBeVisible()
  // Listed next to Font1-3, and the first one chosen for training.
  const setPicker = page.getByLabel('Character set', { exact: true })
  await expect(setPicker.locator('option')).toContainText([
    'Font1',
    'Font2',
    'Font3',
    'Font1 (font.h) — imported, 32 glyphs',
    'Font2 (font.h) — imported, 32 glyphs',
    'Font3 (font.h) — imported, 32 glyphs'
  ])
  await expect(setPicker.locator('option:checked')).toHaveText(
    'Font1 (font.h) — imported, 32 glyphs'
  )
  await page.getByLabel('Epochs').fill('60')
  await page.getByLabel('Stop when every glyph has at most this many wrong pixels').fill('')
  await trainAndWait(page, 1)
  await expect(page.getByTestId('runs')).toContainText('Font1 (font.h) · 64-32')
  await expect(
    page.getByTestId('reconstructions').getByRole('img', { name: '! original' })
  ).toBeVisible()

  // Rename one, remove another.
  await page.getByRole('button', { name: 'Rename character set Font2 (font.h)' }).click()
  await page.getByLabel('New name for Font2 (font.h)').fill('Capitals')
  await page.getByRole('button', { name: 'OK' }).click()
  await expect(sets).toContainText('Capitals')
  await page.getByRole('button', { name: 'Remove character set Font3 (font.h)' }).click()
  await expect(sets.getByRole('listitem')).toHaveCount(2)
  await setPicker.selectOption({ label: 'Capitals — imported, 32 glyphs' })

  // A bad header dropped on the window: refused, naming the line; nothing else changes.
  const bad = [
    'unsigned char Mine[3][7] = {',
    '  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11},  // 0x41, A',
    '  {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e},  // 0x42, B',
    '  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11}   // 0x41, A',
    '};'
  ].join('\n')
  const drop = async (name: string, text: string): Promise<void> => {
    const transfer = await page.evaluateHandle(
      ([n, t]) => {
        const data = new DataTransfer()
        data.items.add(new File([t], n, { type: 'text/plain' }))
        return data
      },
      [name, text] as const
    )
    await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer })
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer })
  }
  await drop('bad.h', bad)
  await expect(page.getByTestId('character-set-error')).toHaveText(
    'bad.h line 4: Mine glyph 2 is labelled "A" like glyph 0 (line 2); labels must be unique'
  )
  await expect(sets.getByRole('listitem')).toHaveCount(2)
  // The good half of it, dropped: a third set.
  const lines = bad.split('\n')
  await drop('mine.h', [lines[0]!.replace('[3]', '[2]'), lines[1], lines[2], '};'].join('\n'))
  await expect(sets.getByRole('listitem')).toHaveCount(3)
  await expect(sets).toContainText('Mine')

  // Open accepts glyph JSON too (the lab's own format, here one drawn set).
  const drawn = join(artifacts, 'drawn.json')
  writeFileSync(
    drawn,
    JSON.stringify({ glyphs: [{ char: 'x', rows: [0x11, 0x0a, 0x04, 0x0a, 0x11, 0, 0] }] })
  )
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByLabel('Session file to open').setInputFiles(drawn)
  await expect(sets.getByRole('listitem')).toHaveCount(4)
  await expect(sets).toContainText('drawn')

  // Saved with the session and reopened.
  await page.getByRole('button', { name: 'Save As…' }).click()
  await page.getByLabel('Session name').fill('with sets')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('with sets')
  await page.reload()
  await expect(sets).toHaveCount(0)
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'with sets' }).click()
  await expect(sets.getByRole('listitem')).toHaveCount(4)
  for (const name of ['Font1 (font.h)', 'Capitals', 'Mine', 'drawn'])
    await expect(sets).toContainText(name)
  await expect(page.getByTestId('runs')).toContainText('Font1 (font.h) · 64-32')

  // Save As onto an existing name asks first; "no" keeps the file as it was.
  const file = join(workspace, 'from header.aelab')
  const before = statSync(file).mtimeMs
  answers.push(false)
  await page.getByRole('button', { name: 'Save As…' }).click()
  await page.getByLabel('Session name').fill('from header')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('dialog')).toContainText('"from header" is kept; choose another name')
  expect(prompts.at(-1)).toBe(
    'A session named "from header" already exists. Replace it with this one?'
  )
  expect(statSync(file).mtimeMs).toBe(before)
  // "Yes" replaces it.
  answers.push(true)
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('from header')
  expect(statSync(file).mtimeMs).toBeGreaterThan(before)
  expect(prompts.filter((p) => p.startsWith('A session named'))).toHaveLength(2)

  await page.screenshot({ path: join(artifacts, 'character-sets.png'), fullPage: true })
  expect(problems).toEqual([])
})

test('a 16x16 character set from a PNG sprite sheet: imported, trained, drawn on its grid', async ({
  page
}) => {
  const problems = collectProblems(page)
  // Six 16x16 glyphs (blocky letters, black on white) in a 3x2 sheet, written with sharp.
  const art = [
    [
      '..####..',
      '.##..##.',
      '##....##',
      '##....##',
      '########',
      '##....##',
      '##....##',
      '........'
    ],
    [
      '######..',
      '##...##.',
      '##...##.',
      '######..',
      '##...##.',
      '##...##.',
      '######..',
      '........'
    ],
    [
      '..#####.',
      '.##...##',
      '##......',
      '##......',
      '##......',
      '.##...##',
      '..#####.',
      '........'
    ],
    [
      '##....##',
      '##....##',
      '##....##',
      '########',
      '##....##',
      '##....##',
      '##....##',
      '........'
    ],
    [
      '##......',
      '##......',
      '##......',
      '##......',
      '##......',
      '##......',
      '#######.',
      '........'
    ],
    ['########', '...##...', '...##...', '...##...', '...##...', '...##...', '...##...', '........']
  ]
  const width = 48
  const grey = Buffer.alloc(width * 32, 255)
  art.forEach((rows, k) =>
    rows.forEach((row, r) =>
      [...row].forEach((c, col) => {
        if (c !== '#') return
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1]
        ])
          grey[(Math.floor(k / 3) * 16 + 2 * r + dy!) * width + (k % 3) * 16 + 2 * col + dx!] = 0
      })
    )
  )
  const sheet = join(artifacts, 'letters16.png')
  await sharp(grey, { raw: { width, height: 32, channels: 1 } })
    .png()
    .toFile(sheet)

  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Import character set…' }).click()
  await (await chooser).setFiles(sheet)
  const setPicker = page.getByLabel('Character set', { exact: true })
  await expect(
    setPicker.locator('option', { hasText: 'letters16 — imported, 6 glyphs of 16x16' })
  ).toHaveCount(1)
  await setPicker.selectOption({ label: 'letters16 — imported, 6 glyphs of 16x16' })
  const stop = page.getByLabel('Stop when every glyph has at most this many wrong pixels')
  await expect(stop).toHaveAttribute('max', '256')
  await page.getByLabel('Epochs').fill('400')
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1, { timeout: 90_000 })
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled()
  await expect(page.getByTestId('pixel-editor')).toHaveAttribute('data-grid', '16x16')
  // The reconstructions are drawn on the 16x16 grid, no taller than a 7x5 glyph's box.
  const original = page
    .getByTestId('reconstructions')
    .getByRole('img', { name: /original/ })
    .first()
  await expect(original).toBeVisible()
  const box = (await original.boundingBox())!
  // (a 7x5 glyph's box at 8 px a cell is 40 x 56, with a 1 px border)
  expect(box.height).toBeLessThanOrEqual(7 * 8 + 2)
  expect(box.width).toBeLessThanOrEqual(5 * 8 + 2)
  await page.screenshot({ path: join(artifacts, 'glyphs-16x16.png'), fullPage: true })
  await page
    .getByTestId('reconstructions')
    .screenshot({ path: join(artifacts, 'glyphs-16x16-results.png') })
  expect(problems).toEqual([])
})
