import { backendNameSchema, parseThreads, type BackendName } from '../shared/schemas'

/** The value after `--name`, if present. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

export const flag = (args: readonly string[], name: string): boolean => args.includes(name)

/** The median, with unsolved runs as Infinity (the upper median for even counts). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** `--backend NAME` and `--threads N`, checked, for chooseBackend. */
export function backendOptions(args: readonly string[]): {
  preferred?: BackendName
  threads?: number
} {
  const backendArg = option(args, '--backend')
  const preferred = backendArg === undefined ? undefined : backendNameSchema.safeParse(backendArg)
  if (preferred && !preferred.success)
    throw new Error(`--backend must be tensorflow, wasm or cpu, not "${backendArg}"`)
  const threadsArg = option(args, '--threads')
  return {
    preferred: preferred?.data,
    threads: threadsArg === undefined ? undefined : parseThreads(threadsArg)
  }
}

/**
 * `--rounds N` (default 3): how many times a benchmark alternates the lab's engine and its
 * reference. The build machines are shared VMs whose speed drifts by a third within minutes;
 * alternating, and taking the median of the per-round ratios, keeps both sides in the same
 * conditions.
 */
export function rounds(args: readonly string[]): number {
  const value = option(args, '--rounds')
  if (value === undefined) return 3
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new Error(`--rounds must be a whole number from 1 to 20, not "${value}"`)
  return n
}
