import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, expect, it, vi } from 'vitest'
import { BrowserWindow, state } from './fakes/electron'
import { createElectronClient } from '../src/renderer/src/api/electron-client'
import type { LabBridge } from '../src/preload/bridge'
import { defaultLetterConfig } from '../src/shared/schemas'
import { letters, recordEvents, scratchWorkspace } from './helpers'

// A reloaded Electron window (or one whose renderer crashed and was loaded again) is offered its
// own unsaved runs, as a reloaded browser tab is: each page load is a session of its own. Before,
// the app had one session per launch, so the runs stayed with a session the new page was part
// of, and nothing was offered.
vi.mock('electron', () => import('./fakes/electron'))

let bridge: LabBridge
const workspace = scratchWorkspace()

beforeAll(async () => {
  process.env['LAB_WORKSPACE'] = workspace
  process.env['LAB_WORKER_PATH'] = new URL(
    '../out/main/training-worker.js',
    import.meta.url
  ).pathname
  process.env['LAB_BACKEND'] = 'wasm'
  process.env['LAB_THREADS'] = '1'
  await import('../src/main/index')
  await import('../src/preload/index')
  await vi.waitFor(() => expect(BrowserWindow.windows).toHaveLength(1))
  bridge = state.exposed.get('lab') as LabBridge
})

/** Trains a short letters run in the page. */
async function trainUnsaved(): Promise<string> {
  const client = createElectronClient(bridge)
  const done = recordEvents(client, 'runDone')
  const { runId } = await client.request(
    'startRun',
    letters({ ...defaultLetterConfig, epochs: 5, maxWrongPixels: null })
  )
  await done.until((d) => d.runId === runId)
  done.stop()
  return runId
}

/** Waits until a page is offered `runs` unsaved runs (once the autosave is on disk). */
async function offered(page: ReturnType<typeof createElectronClient>, runs: number): Promise<void> {
  await vi.waitFor(
    async () => expect(await page.request('recoveryInfo', undefined)).toMatchObject({ runs }),
    { timeout: 20_000, interval: 100 }
  )
}

it('offers a reloaded window its unsaved runs, and a restarted renderer too', async () => {
  const window = BrowserWindow.windows[0]!
  const page = createElectronClient(bridge)
  window.emitContents('did-start-loading')
  window.emitContents('did-finish-load')
  const first = await trainUnsaved()
  // While the page that trained it is shown, there is nothing to recover.
  await vi.waitFor(() => expect(existsSync(join(workspace, '.recovery'))).toBe(true))
  expect(await page.request('recoveryInfo', undefined)).toBeNull()

  // The user reloads the window (View > Reload, Ctrl+R).
  window.emitContents('did-start-loading')
  window.emitContents('did-finish-load')
  const reloaded = createElectronClient(bridge)
  await offered(reloaded, 1)
  const recovered = await reloaded.request('recoverSession', undefined)
  expect(recovered.session.runs.map((r) => r.id)).toEqual([first])

  // The renderer crashes and the window loads the page again: both runs come back.
  const second = await trainUnsaved()
  window.emitContents('render-process-gone')
  window.emitContents('did-start-loading')
  window.emitContents('did-finish-load')
  const restarted = createElectronClient(bridge)
  await offered(restarted, 2)
  const again = await restarted.request('recoverSession', undefined)
  expect(again.session.runs.map((r) => r.id).sort()).toEqual([first, second].sort())
})
