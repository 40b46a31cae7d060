import { createPinia, setActivePinia } from 'pinia'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { startBrowserHost, type BrowserHost } from '../src/host/browser-host'
import { provideLabClient } from '../src/renderer/src/api/client'
import type { WsLabClient } from '../src/shared/lab-client'
import { builtRenderer, builtWorker, connect, datasetsDir, scratchWorkspace } from './helpers'

/**
 * Store tests run the renderer's stores against a real browser host over a real WebSocket (no
 * mocked transport): starts one host for the file (in a fresh workspace, given to `prepare`
 * first), hands its client to the stores, and gives
 * every test a fresh Pinia. Returns the connected client, available once the file has started.
 */
export function storesAgainstRealHost(
  options: { prepare?: (workspace: string) => Promise<void> } = {}
): { client: () => WsLabClient } {
  let host: BrowserHost
  let client: WsLabClient
  beforeAll(async () => {
    const workspace = scratchWorkspace()
    // Files the tests need in the workspace before the host starts (e.g. an imported set).
    await options.prepare?.(workspace)
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
  })
  afterAll(async () => {
    client.close()
    await host.close()
  })
  beforeEach(() => setActivePinia(createPinia()))
  return { client: () => client }
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
