import { z } from 'zod'
import { describeIssues } from './contract'
import { experimentSchema, type Experiment } from './experiments'
import { MAX_SWEEP_RUNS, formatSweepValue, sweepValueSchema, type SweepValue } from './sweep-tag'

export { MAX_SWEEP_RUNS, formatSweepValue, sweepTagSchema, sweepValueSchema } from './sweep-tag'
export type { SweepTag, SweepValue } from './sweep-tag'

// A sweep: one base experiment (any kind) run over a grid of parameter values, e.g. hidden
// layers in {[20], [25,15], [25,15,10]} x latent in {2, 4} x seeds 1..3. Each combination
// becomes a concrete experiment, validated by its kind's own schema; each run carries a tag
// (`experiment.sweep`) naming its sweep and its values, so a session keeps the runs grouped.
// Shared: `lab sweep`, the app's Sweep panel and the Studies gallery expand specs the same way.

/** A parameter is a field of the experiment, or a dotted path into one (`noise.level`). */
const parameterSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'a field name such as "noise.level"')
  .max(80)

/** One axis of the grid: a field and its values ... */
const valuesAxisSchema = z.strictObject({
  parameter: parameterSchema,
  values: z.array(z.unknown()).min(1).max(50)
})
/** ... or named variants, each setting several fields at once (e.g. an optimizer and its epochs). */
const variantsAxisSchema = z.strictObject({
  parameter: z.string().trim().min(1).max(80),
  variants: z
    .array(
      z.strictObject({
        label: z.string().trim().min(1).max(80),
        set: z.record(parameterSchema, z.unknown())
      })
    )
    .min(1)
    .max(50)
})
export const sweepAxisSchema = z.union([valuesAxisSchema, variantsAxisSchema])
export type SweepAxis = z.infer<typeof sweepAxisSchema>

const seedValue = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

/** A sweep file (`lab sweep <sweep.json>`), a Studies preset's sweep, the Sweep panel's grid. */
export const sweepSpecSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** The experiment every run starts from; the grid's values replace its fields. */
  base: z.record(z.string(), z.unknown()).refine((b) => typeof b['kind'] === 'string', {
    message: 'the base experiment needs a "kind" (autoencoder, denoising, linear or vae)'
  }),
  grid: z.array(sweepAxisSchema).max(8).default([]),
  /** Each combination is run once per seed (the experiment's `seed`); the base's seed if absent. */
  seeds: z.array(seedValue).min(1).max(20).optional()
})
export type SweepSpec = z.output<typeof sweepSpecSchema>
export type SweepSpecInput = z.input<typeof sweepSpecSchema>

/** One concrete run of a sweep. */
export interface SweepRun {
  experiment: Experiment
  parameters: Record<string, SweepValue>
  seed: number
}

/** A sweep that cannot run: the message names the parameter and the value at fault. */
export class SweepError extends Error {}

/** A new sweep id. */
export const newSweepId = (): string =>
  `sweep-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`

/** How a value is shown and grouped: numbers and lists as they are, anything else as JSON. */
export function displayValue(value: unknown): SweepValue {
  const plain = sweepValueSchema.safeParse(value)
  if (plain.success) return plain.data
  return JSON.stringify(value).slice(0, 200)
}

const seedsOf = (spec: SweepSpec): number[] =>
  spec.seeds ?? [typeof spec.base['seed'] === 'number' ? spec.base['seed'] : 1]

const axisLength = (axis: SweepAxis): number =>
  'values' in axis ? axis.values.length : axis.variants.length

/** How many runs a sweep holds (before expanding it). */
export function countRuns(spec: SweepSpec): number {
  return spec.grid.reduce((n, axis) => n * axisLength(axis), 1) * seedsOf(spec).length
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw new SweepError(
        `parameter "${path}": the base experiment has no "${key}" object to set it in`
      )
    node = next as Record<string, unknown>
  }
  node[keys.at(-1)!] = structuredClone(value)
}

/** The paths one axis sets. */
const pathsOf = (axis: SweepAxis): string[] =>
  'values' in axis
    ? [axis.parameter]
    : [...new Set(axis.variants.flatMap((v) => Object.keys(v.set)))]

/**
 * Expands a sweep into its runs, seed by seed (after the first seed every combination has one
 * run, so a sweep stopped early still covers the grid), and within a seed the grid's axes
 * nested in their order (the last varies fastest). Each run is validated by its kind's schema;
 * a bad combination fails naming the parameter and the value.
 */
export function expandSweep(spec: SweepSpec): SweepRun[] {
  const total = countRuns(spec)
  if (total > MAX_SWEEP_RUNS) {
    const factors = [
      ...spec.grid.map((a) => `${axisLength(a)} ${a.parameter}`),
      `${seedsOf(spec).length} seed${seedsOf(spec).length === 1 ? '' : 's'}`
    ]
    throw new SweepError(
      `the sweep "${spec.name}" has ${factors.join(' x ')} = ${total} runs; at most ${MAX_SWEEP_RUNS} can run in one sweep: drop some values or seeds`
    )
  }
  const names = spec.grid.map((a) => a.parameter)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate !== undefined)
    throw new SweepError(`parameter "${duplicate}" appears twice in the grid`)
  if (spec.seeds && spec.grid.some((a) => pathsOf(a).includes('seed')))
    throw new SweepError('give the seeds in "seeds" or as a grid parameter "seed", not both')

  // Every combination of the axes' indices, the last axis fastest.
  let combos: number[][] = [[]]
  for (const axis of spec.grid)
    combos = combos.flatMap((c) => Array.from({ length: axisLength(axis) }, (_, i) => [...c, i]))

  const runs: SweepRun[] = []
  for (const seed of seedsOf(spec)) {
    for (const combo of combos) {
      const doc = structuredClone(spec.base)
      const parameters: Record<string, SweepValue> = {}
      const where: string[] = []
      spec.grid.forEach((axis, a) => {
        const i = combo[a]!
        if ('values' in axis) {
          const value = axis.values[i]
          setPath(doc, axis.parameter, value)
          parameters[axis.parameter] = displayValue(value)
          where.push(`${axis.parameter} = ${JSON.stringify(value)}`)
        } else {
          const variant = axis.variants[i]!
          for (const [path, value] of Object.entries(variant.set)) setPath(doc, path, value)
          parameters[axis.parameter] = variant.label
          where.push(`${axis.parameter} = "${variant.label}"`)
        }
      })
      if (spec.seeds) doc['seed'] = seed
      const parsed = experimentSchema.safeParse(doc, { reportInput: true })
      if (!parsed.success) throw new SweepError(explainBadRun(spec, where, parsed.error))
      runs.push({ experiment: parsed.data, parameters, seed: parsed.data.seed })
    }
  }
  return runs
}

/** Names the grid parameter (and value) an invalid run's first issue comes from. */
function explainBadRun(spec: SweepSpec, where: string[], error: z.ZodError): string {
  const paths = spec.grid.flatMap((axis, a) => pathsOf(axis).map((p) => [p, a] as const))
  const blamed = error.issues
    .flatMap((issue) => {
      // An unknown field is reported on its object, with the field's name among `keys`.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [null]
      return keys.map((key) => [...issue.path, ...(key === null ? [] : [key])].join('.'))
    })
    .map((at) => {
      const hit = paths.find(([p]) => at === p || at.startsWith(`${p}.`) || p.startsWith(`${at}.`))
      return hit ? where[hit[1]] : undefined
    })
    .filter((w): w is string => w !== undefined)
  const problem = describeIssues(error)
  return blamed.length > 0
    ? `the sweep "${spec.name}" cannot run ${[...new Set(blamed)].join(', ')}: ${problem}`
    : `the sweep "${spec.name}": its base experiment is not valid (with ${where.join(', ') || 'no grid values'}): ${problem}`
}

/** The runs of a sweep, each tagged with its sweep, ready to start. */
export function taggedRuns(spec: SweepSpec, id = newSweepId()): Experiment[] {
  const runs = expandSweep(spec)
  return runs.map((run, index) => ({
    ...run.experiment,
    sweep: {
      id,
      name: spec.name,
      parameters: run.parameters,
      seed: run.seed,
      index,
      runs: runs.length
    }
  }))
}

/** Reads a sweep document; the error names every bad field. */
export function parseSweepSpec(doc: unknown): SweepSpec {
  const parsed = sweepSpecSchema.safeParse(doc, { reportInput: true })
  if (!parsed.success) throw new SweepError(describeIssues(parsed.error))
  return parsed.data
}

/**
 * Seconds left in a sweep: the mean time of its finished runs for each run still to come, and
 * for the run in progress what is left of that mean (before any run has finished, what its own
 * pace says). Null while there is nothing to go on.
 */
export function sweepTimeLeft(
  finishedSeconds: readonly number[],
  runsAfterCurrent: number,
  current?: { elapsed: number; fraction: number }
): number | null {
  const mean = finishedSeconds.length
    ? finishedSeconds.reduce((a, b) => a + b, 0) / finishedSeconds.length
    : current && current.fraction >= 0.02
      ? current.elapsed / current.fraction
      : null
  if (mean === null) return null
  const currentLeft = current
    ? finishedSeconds.length
      ? Math.max(0, mean - current.elapsed)
      : mean - current.elapsed
    : 0
  return currentLeft + runsAfterCurrent * mean
}

/** "45 s", "3 min 20 s", "1 h 5 min": how long a sweep has left. */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'time left unknown yet'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
}

/** "hidden = [25, 15], latent = 2" for messages and progress lines. */
export function describeParameters(parameters: Record<string, SweepValue>): string {
  const parts = Object.entries(parameters).map(([k, v]) => `${k} = ${formatSweepValue(v)}`)
  return parts.length ? parts.join(', ') : 'the base experiment'
}
