import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSession, writeSession } from '../src/services/session-file'
import { artifacts, collectProblems, e2eDir } from './support'

// Issue 13, item 2: sessions may be 256 MB, but one WebSocket frame used to carry a dropped file
// (over 64 MB it ended the host). A 68 MB session opened from the page must arrive and open.
// (One over the limit is refused before it is sent: test/session-import-size.test.ts.)

test('a session file over 64 MB opens from the browser', async ({ page }) => {
  test.setTimeout(240_000)
  const problems = collectProblems(page)
  // A real session: one letters run with wide layers (about 14 MB of weights), trained by the
  // command line, then five copies of the run under their own ids, written by the lab's writer.
  const experiment = join(artifacts, 'wide-experiment.json')
  writeFileSync(
    experiment,
    JSON.stringify({
      kind: 'autoencoder',
      font: 'Font1',
      hidden: [512, 512, 512, 512, 512, 512],
      latent: 2,
      activation: 'tanh',
      learningRate: 0.001,
      epochs: 1,
      maxWrongPixels: null,
      seed: 3
    })
  )
  const one = join(artifacts, 'wide-one.aelab')
  execFileSync(process.execPath, [
    join(e2eDir, '../bin/lab.mjs'),
    'train',
    experiment,
    '--out',
    one,
    '--quiet'
  ])
  const session = await readSession(one)
  const run = session.runs[0]!
  session.runs = [1, 2, 3, 4, 5].map((i) => ({ ...run, id: `${run.id}-${i}` }))
  const big = join(artifacts, 'wide five.aelab')
  await writeSession(big, session)
  expect(statSync(big).size).toBeGreaterThan(64 << 20)

  await page.goto('/')
  await page.getByRole('button', { name: 'Open…' }).click()
  await page.getByLabel('Session file to open').setInputFiles(big)
  await expect(page.getByTestId('session-name')).toContainText('wide five', { timeout: 120_000 })
  await expect(page.getByTestId('runs').getByRole('listitem')).toHaveCount(5)

  expect(problems).toEqual([])
})
