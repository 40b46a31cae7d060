import { z } from 'zod'

// The tag each run of a sweep carries in its experiment (`experiment.sweep`): which sweep it
// belongs to and its values, so a session keeps a sweep's runs grouped (src/shared/sweep.ts
// expands sweeps; this file has no imports of the lab's, so experiments.ts can use it).

/** The most runs one sweep may hold (a session holds at most 500). */
export const MAX_SWEEP_RUNS = 200

/** A value as the results table shows it and groups by it (objects are shown by their label). */
export const sweepValueSchema = z.union([
  z.number(),
  z.string().max(200),
  z.boolean(),
  z.null(),
  z.array(z.number()).max(64)
])
export type SweepValue = z.infer<typeof sweepValueSchema>

/** What each run of a sweep records of it: the sweep, and the values of this run. */
export const sweepTagSchema = z.strictObject({
  id: z.string().regex(/^sweep-[0-9a-z-]{1,40}$/),
  name: z.string().max(200),
  /** The run's value of each grid parameter, in the grid's order (without the seed). */
  parameters: z.record(z.string().max(80), sweepValueSchema),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  /** This run's place in the sweep (from 0), and the sweep's number of runs. */
  index: z.number().int().min(0).max(MAX_SWEEP_RUNS),
  runs: z.number().int().min(1).max(MAX_SWEEP_RUNS)
})
export type SweepTag = z.infer<typeof sweepTagSchema>

/** A value as a person reads it in a message or a table cell. */
export function formatSweepValue(value: SweepValue): string {
  if (Array.isArray(value)) return value.length ? `[${value.join(', ')}]` : '[]'
  return typeof value === 'string' ? value : String(value)
}
