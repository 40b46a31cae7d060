import { resolve } from 'node:path'
import { expect, it, vi } from 'vitest'
import { BrowserWindow, state } from './fakes/electron'

// A second instance of the desktop app (a session file double-clicked while the lab runs) must not
// start a lab of its own: two instances would share, and delete, one recovery file. It hands its
// files to the first instance (Electron's single-instance lock) and quits.
vi.mock('electron', () => import('./fakes/electron'))

it('quits without opening a window or a lab when another instance holds the lock', async () => {
  state.singleInstanceLock = false
  const argv = process.argv
  process.argv = ['/opt/lab/autoencoder-lab', 'results/run 3.aelab', '--flag', 'notes.txt']
  try {
    await import('../src/main/index')
  } finally {
    process.argv = argv
  }
  // The files go to the first instance, resolved here (its working directory may differ).
  expect(state.lockData).toEqual({ files: [resolve('results/run 3.aelab')] })
  expect(state.quitCalls).toBe(1)
  // whenReady would have resolved by now had the app gone on.
  await new Promise((resolve) => setImmediate(resolve))
  expect(BrowserWindow.windows).toHaveLength(0)
  expect(state.handlers.size).toBe(0)
  expect(state.appListeners.has('second-instance')).toBe(false)
})
