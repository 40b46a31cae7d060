import type { LabClient } from '@shared/contract'

export { LabRequestError, parseEvent, unwrap } from '@shared/lab-client'

// The renderer's one handle on the lab. Stores call it; components never do.

let current: LabClient | null = null

export function provideLabClient(client: LabClient): void {
  current = client
}

export function labClient(): LabClient {
  if (!current) throw new Error('the lab client is not connected yet')
  return current
}
