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
