import { z } from 'zod'

// What every run has, whatever its kind: an id, and how it ended.

export const runIdSchema = z.string().regex(/^run-[0-9a-z-]{1,40}$/)

export const runStatusSchema = z.enum(['completed', 'solved', 'stopped', 'diverged', 'failed'])
export type RunStatus = z.infer<typeof runStatusSchema>
