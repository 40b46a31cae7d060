import { eventListenerName, type EventName, type RequestName } from '@shared/channels'
import type { LabClient } from '@shared/contract'
import type { LabBridge } from '../../../preload/bridge'
import { parseEvent, unwrap } from './client'

/** The lab over Electron IPC, through the preload's `window.lab` bridge. */
export function createElectronClient(bridge: LabBridge): LabClient {
  return {
    request: async (name, input) => unwrap(name, await bridge[name as RequestName](input)),
    on: (name, listener) =>
      bridge[eventListenerName(name as EventName)]((raw) => {
        const payload = parseEvent(name, raw)
        if (payload) listener(payload)
      })
  }
}
