import type { EventListenerName, EventName, RequestName } from '../shared/channels'

/**
 * What the preload exposes as `window.lab`. Payloads are typed `unknown` on purpose: the
 * renderer validates every result and event against the contract before using it.
 */
export type LabBridge = { [K in RequestName]: (input: unknown) => Promise<unknown> } & {
  [K in EventName as EventListenerName<K>]: (callback: (payload: unknown) => void) => () => void
}

declare global {
  interface Window {
    lab?: LabBridge
  }
}
