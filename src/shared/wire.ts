import { z } from 'zod'
import { MAX_SESSION_BYTES } from './session'

// The WebSocket framing of the lab API (the browser host). Both ends validate every frame with
// these schemas.
//
// A request is one text frame, `{type: 'request', id, name, input}`, of at most MAX_FRAME_BYTES.
// A larger one (a session file dropped on the page) is announced by `{type: 'upload', id, bytes}`
// and follows as binary frames of at most MAX_FRAME_BYTES each, holding together exactly `bytes`
// bytes: the UTF-8 JSON of the request frame, with the same id. Nothing else may come between.

export const API_PATH = '/api'
/** Largest WebSocket message the host accepts: a request frame, or one part of an upload. */
export const MAX_FRAME_BYTES = 1 << 20
/** Largest request, uploaded in parts: a session file of the largest size, JSON-escaped. */
export const MAX_REQUEST_BYTES = MAX_SESSION_BYTES + (16 << 20)

const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const requestFrameSchema = z.object({
  type: z.literal('request'),
  id: requestId,
  name: z.string().max(64),
  input: z.unknown().optional()
})
export type RequestFrame = z.infer<typeof requestFrameSchema>

export const clientFrameSchema = z.discriminatedUnion('type', [
  requestFrameSchema,
  z.object({
    type: z.literal('upload'),
    id: requestId,
    bytes: z.number().int().min(1).max(MAX_REQUEST_BYTES)
  })
])
export type ClientFrame = z.infer<typeof clientFrameSchema>

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('response'), id: requestId, envelope: z.unknown() }),
  z.object({ type: z.literal('event'), name: z.string(), payload: z.unknown() })
])
export type ServerFrame = z.infer<typeof serverFrameSchema>

/** MB with no decimals, for messages about sizes. */
export const megabytes = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`
