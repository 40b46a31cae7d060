import { afterAll, expect, it } from 'vitest'
import { createLab } from '../src/services/lab'
import { builtWorker, datasetsDir, scratchWorkspace } from './helpers'

// The data sets and fonts a lab reads are kept once per lab, not once per tab: every browser tab
// (every WebSocket client, even one that never reads its replies) had its own copy of MNIST's
// 47 MB of training images.

const lab = createLab({
  host: 'browser',
  datasetsDir,
  workerPath: builtWorker,
  workspace: scratchWorkspace(),
  emit: () => undefined
})
afterAll(() => lab.close())

it('reads a data set once for all its tabs', async () => {
  const request = { dataset: 'mnist' as const, split: 'train' as const, indices: [0, 59999] }
  const first = await lab.handlersFor('tab0').datasetImages(request)
  const before = process.memoryUsage().arrayBuffers
  // Handlers held, as a host holds them while their tabs are open.
  const tabs = ['tab1', 'tab2', 'tab3'].map((client) => lab.handlersFor(client))
  const replies = await Promise.all(tabs.map((tab) => tab.datasetImages(request)))
  const grown = process.memoryUsage().arrayBuffers - before
  expect(replies.every((reply) => JSON.stringify(reply) === JSON.stringify(first))).toBe(true)
  // A second copy of the training images alone is 45 MiB.
  expect(grown).toBeLessThan(20 * 2 ** 20)
  expect(await tabs[0]!.listFonts(undefined)).toBe(await tabs[1]!.listFonts(undefined))
})
