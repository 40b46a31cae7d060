import { parseArgs } from 'node:util'
import { backendNameSchema, parseThreads, type BackendName } from '../shared/schemas'

/** A subcommand's command line: its usage, its positional arguments and its options. */
export interface CommandSpec {
  usage: string
  positionals: { min: number; max: number }
  /** `name` -> the value it takes (`FILE`, `N`), or null for a switch. */
  options: Record<string, string | null>
}

/**
 * Checks a subcommand's arguments with Node's own parser (util.parseArgs, strict): an unknown
 * option, an option without its value, or a stray argument is refused with the valid options
 * listed. Returns the arguments in one spelling (`--out FILE`, never `--out=FILE`), for option().
 */
export function checkArgs(command: string, argv: readonly string[], spec: CommandSpec): string[] {
  const valid = Object.entries({ ...spec.options, help: null })
    .map(([name, value]) => `--${name}${value ? ` ${value}` : ''}`)
    .join(', ')
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, value]) => [
      name,
      { type: value === null ? ('boolean' as const) : ('string' as const) }
    ])
  )
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true
    })
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    const name = /'(-[^' ]+)/.exec(message)?.[1] ?? ''
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new Error(`${command}: unknown option ${name} (valid options: ${valid})`, {
        cause: error
      })
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const value = spec.options[name.replace(/^--/, '')]
      throw new Error(`${command}: ${name} needs a value${value ? ` (${name} ${value})` : ''}`, {
        cause: error
      })
    }
    throw new Error(`${command}: ${message}`, { cause: error })
  }
  const normalised: string[] = [...parsed.positionals]
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '' && spec.options[name])
      throw new Error(`${command}: --${name} needs a value (--${name} ${spec.options[name]})`)
    if (value === true) normalised.push(`--${name}`)
    else if (typeof value === 'string') normalised.push(`--${name}`, value)
  }
  if (parsed.values['help']) return normalised
  const { min, max } = spec.positionals
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const extra =
      parsed.positionals.length > max
        ? `unexpected argument "${parsed.positionals[max]}"`
        : 'missing argument'
    throw new Error(`${command}: ${extra}\nusage: ${spec.usage}`)
  }
  return normalised
}

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
