import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  eventChannel,
  eventListenerName,
  eventNames,
  requestChannel,
  requestNames
} from '../shared/channels'
import type { LabBridge } from './bridge'

// Exposes the lab API to the sandboxed renderer as named functions, one per request and one
// `onX(callback)` per event (returning its unsubscribe). ipcRenderer itself never crosses.

const bridge: Record<string, unknown> = {}
for (const name of requestNames) {
  bridge[name] = (input: unknown): Promise<unknown> =>
    ipcRenderer.invoke(requestChannel(name), input)
}
for (const name of eventNames) {
  bridge[eventListenerName(name)] = (callback: (payload: unknown) => void): (() => void) => {
    const listener = (_event: IpcRendererEvent, payload: unknown): void => callback(payload)
    ipcRenderer.on(eventChannel(name), listener)
    return () => ipcRenderer.removeListener(eventChannel(name), listener)
  }
}

contextBridge.exposeInMainWorld('lab', bridge as unknown as LabBridge)
