import { z } from 'zod'

// The WebSocket framing of the lab API (the browser host). Both ends validate every frame.

export const clientFrameSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().min(0),
  name: z.string().max(64),
  input: z.unknown().optional()
})
export type ClientFrame = z.infer<typeof clientFrameSchema>

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('response'), id: z.number().int().min(0), envelope: z.unknown() }),
  z.object({ type: z.literal('event'), name: z.string(), payload: z.unknown() })
])
export type ServerFrame = z.infer<typeof serverFrameSchema>

export const API_PATH = '/api'
/** Largest frame the host accepts from a client: room for a session file dropped on the page. */
export const MAX_FRAME_BYTES = 64 << 20
