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
