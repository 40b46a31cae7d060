import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, collectProblems, e2eDir } from './support'

const workspace = process.env['LAB_E2E_WORKSPACE']!

test('sessions: train, save, reload, reopen; open a CLI session; refuse a damaged file', async ({
  page
}) => {
  const problems = collectProblems(page)
  const prompts: string[] = []
  page.on('dialog', (d) => {
    prompts.push(d.message())
    void d.accept()
  })
  await page.goto('/')

  // Train a run, draw a custom glyph, and save the session under a name.
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1, { timeout: 60_000 })
  await page.getByRole('gridcell', { name: 'row 4, column 3' }).click()
  await page.getByLabel('Label for the drawn glyph').fill('·')
  await page.getByRole('button', { name: 'Add to custom set' }).click()
  await page.getByLabel('Decode grid size').fill('7')
  await expect(page.getByTestId('session-name')).toContainText('Untitled session •')
  await page.getByRole('button', { name: 'Save As…' }).click()
  await page.getByLabel('Session name').fill('demo one')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('demo one')
  await expect(page).toHaveTitle('demo one — Autoencoder Lab')
  const label = await page.getByTestId('runs').getByRole('listitem').first().textContent()
  const verdict = await page.getByTestId('verdict').textContent()

  // Reload the page: a fresh lab. Reopen the session and find everything as it was.
  await page.reload()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(0)
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'demo one' }).click()
  await expect(page.getByTestId('session-name')).toHaveText('demo one')
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1)
  expect(await page.getByTestId('runs').getByRole('listitem').first().textContent()).toBe(label)
  await expect(page.getByTestId('verdict')).toHaveText(verdict ?? '')
  await expect(page.getByTestId('custom-set').getByRole('listitem')).toHaveCount(1)
  await expect(page.getByTestId('decode-grid')).toHaveAttribute('data-glyphs', '49')

  // A session written by the command line opens too: its weights load into this host's worker.
  const experiment = join(artifacts, 'cli-experiment.json')
  writeFileSync(
    experiment,
    JSON.stringify({
      kind: 'autoencoder',
      font: 'Font3',
      hidden: [64, 32],
      latent: 2,
      activation: 'tanh',
      learningRate: 0.02,
      epochs: 3000,
      maxWrongPixels: 1,
      seed: 2
    })
  )
  execFileSync(process.execPath, [
    join(e2eDir, '../bin/lab.mjs'),
    'train',
    experiment,
    '--out',
    join(workspace, 'from the cli.aelab'),
    '--quiet'
  ])
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'from the cli' }).click()
  await expect(page.getByTestId('runs')).toContainText('Font3 · 64-32')
  await expect(page.getByTestId('verdict')).toContainText('Pass')
  await expect(page.getByTestId('decode-grid')).toHaveAttribute('data-glyphs', '144')
  await page.mouse.click(10, 10)

  // Unsaved work: the title says so, and New asks before discarding it.
  await page.getByRole('button', { name: 'Train' }).click()
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(2, { timeout: 60_000 })
  await expect(page).toHaveTitle('from the cli • — Autoencoder Lab')
  await page.getByRole('button', { name: 'New', exact: true }).click()
  expect(prompts).toEqual(['Discard the unsaved changes in this session?'])
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(0)

  // A session file dropped on the window opens.
  const dropped = await page.evaluateHandle(
    (text) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([text], 'dropped.aelab', { type: 'application/json' }))
      return transfer
    },
    readFileSync(join(workspace, 'demo one.aelab'), 'utf8')
  )
  await page.dispatchEvent('body', 'dragover', { dataTransfer: dropped })
  await page.dispatchEvent('body', 'drop', { dataTransfer: dropped })
  await expect(page.getByTestId('session-name')).toContainText('dropped')
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1)

  // A damaged file is refused with a clear message, and the open session stays as it was.
  const good = readFileSync(join(workspace, 'demo one.aelab'), 'utf8')
  const damaged = join(artifacts, 'damaged.aelab')
  writeFileSync(damaged, good.slice(0, Math.floor(good.length / 3)))
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByLabel('Session file to open').setInputFiles(damaged)
  await expect(page.getByTestId('session-error')).toContainText(
    'damaged.aelab: not a session file (not valid JSON'
  )
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(1)
  await expect(page.getByTestId('session-name')).toContainText('dropped')

  await page.screenshot({ path: join(artifacts, 'sessions.png'), fullPage: true })
  expect(problems).toEqual([])
})
