import { backendNameSchema, threadCountSchema, type BackendName } from '../shared/schemas'

// The engine's settings for hosts started without a command line (the Electron app, `npm
// start`): LAB_BACKEND forces a backend (tensorflow, wasm or cpu) and LAB_THREADS the VAE's
// wasm threads. A bad value is reported and ignored, so the lab still starts.

export interface EngineOptions {
  preferredBackend?: BackendName
  threads?: number
  /** One line per ignored setting. */
  warnings: string[]
}

export function engineOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const options: EngineOptions = { warnings: [] }
  const backend = env['LAB_BACKEND']
  if (backend !== undefined && backend !== '') {
    const parsed = backendNameSchema.safeParse(backend)
    if (parsed.success) options.preferredBackend = parsed.data
    else
      options.warnings.push(
        `LAB_BACKEND must be tensorflow, wasm or cpu, not "${backend}"; choosing automatically`
      )
  }
  const threads = env['LAB_THREADS']
  if (threads !== undefined && threads !== '') {
    const parsed = threadCountSchema.safeParse(Number(threads))
    if (parsed.success) options.threads = parsed.data
    else
      options.warnings.push(
        `LAB_THREADS must be a whole number from 1 to 8, not "${threads}"; using the default`
      )
  }
  return options
}
