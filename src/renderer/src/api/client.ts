import {
  envelopeSchema,
  events,
  requests,
  type EventName,
  type EventPayload,
  type LabClient,
  type RequestName,
  type RequestOutput
} from '@shared/contract'

// The renderer's one handle on the lab. Stores call it; components never do.

let current: LabClient | null = null

export function provideLabClient(client: LabClient): void {
  current = client
}

export function labClient(): LabClient {
  if (!current) throw new Error('the lab client is not connected yet')
  return current
}

/** A request failed on the host side; the message is meant for the user. */
export class LabRequestError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** Checks a host's reply envelope and the result inside it against the contract. */
export function unwrap<K extends RequestName>(name: K, raw: unknown): RequestOutput<K> {
  const envelope = envelopeSchema.safeParse(raw)
  if (!envelope.success)
    throw new LabRequestError('invalid-reply', `the host sent a malformed reply to ${name}`)
  if (!envelope.data.ok)
    throw new LabRequestError(envelope.data.error.code, envelope.data.error.message)
  const result = requests[name].output.safeParse(envelope.data.result)
  if (!result.success)
    throw new LabRequestError(
      'invalid-reply',
      `the host's reply to ${name} does not match the contract`
    )
  return result.data as RequestOutput<K>
}

/** Validates a pushed event; malformed ones are dropped with a console warning. */
export function parseEvent<K extends EventName>(name: K, raw: unknown): EventPayload<K> | null {
  const parsed = events[name].safeParse(raw)
  if (!parsed.success) {
    console.warn(`dropped a malformed ${name} event`)
    return null
  }
  return parsed.data as EventPayload<K>
}
