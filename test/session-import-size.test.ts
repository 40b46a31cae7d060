import { createPinia, setActivePinia } from 'pinia'
import { expect, it } from 'vitest'
import { provideLabClient } from '../src/renderer/src/api/client'
import { useSessionStore } from '../src/renderer/src/stores/session'
import type { LabClient } from '../src/shared/contract'
import { MAX_SESSION_BYTES } from '../src/shared/session'

// Issue 13, item 2: a session file over the size limit is refused in the page, with a clear
// message, before it is read or sent (the host would refuse it anyway, after a long upload).

it('refuses a session file over 256 MB before reading or sending it', async () => {
  setActivePinia(createPinia())
  const requests: string[] = []
  const refusing: LabClient = {
    request: (name) => {
      requests.push(name)
      return Promise.reject(new Error(`unexpected request ${name}`))
    },
    on: () => () => undefined
  }
  provideLabClient(refusing)
  const session = useSessionStore()
  const huge = new File([new Uint8Array(MAX_SESSION_BYTES + (1 << 20))], 'huge.aelab')
  expect(await session.importFile(huge)).toBe(false)
  expect(session.error).toBe('huge.aelab: the file is 257 MB; sessions are at most 256 MB')
  expect(requests).toEqual([])
})
