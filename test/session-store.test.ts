import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { provideLabClient } from '../src/renderer/src/api/client'
import { useSessionStore } from '../src/renderer/src/stores/session'
import type { WsLabClient } from '../src/shared/lab-client'
import { defaultLetterConfig } from '../src/shared/schemas'
import {
  builtRenderer,
  builtWorker,
  connect,
  datasetsDir,
  letters,
  scratchWorkspace
} from './helpers'

// The session store shows what the host says about autosave (issue 13, item 12): a failed
// autosave reaches the user instead of being swallowed.

let host: BrowserHost
let client: WsLabClient
const workspace = scratchWorkspace()

beforeAll(async () => {
  // A file where the recovery folder should be: every autosave fails.
  writeFileSync(join(workspace, '.recovery'), 'in the way')
  host = await startBrowserHost({
    port: 0,
    rendererDir: builtRenderer,
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm'
  })
  client = await connect(`${host.url.replace(/^http/, 'ws')}api`)
  provideLabClient(client)
  setActivePinia(createPinia())
})
afterAll(async () => {
  client.close()
  await host.close()
})

it('shows a failed autosave as the session error', async () => {
  const session = useSessionStore()
  const off = session.watchAutosave()
  await client.request(
    'startRun',
    letters({ ...defaultLetterConfig, epochs: 5, maxWrongPixels: null })
  )
  while (!session.error) await new Promise((resolve) => setTimeout(resolve, 20))
  off()
  expect(session.error).toMatch(/^Autosave failed \(a file is in the way of its folder\)/)
})
