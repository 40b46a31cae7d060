import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { startBrowserHost } from './browser-host'
import { datasetsDir, rendererDir, trainingWorkerPath } from '../services/paths'
import { backendNameSchema, parseThreads } from '../shared/schemas'
import { labVersions } from '../services/versions'
import { engineOptionsFromEnv } from '../services/engine-options'

// `node out/main/serve.js [--port N] [--host ADDR] [--backend tensorflow|wasm|cpu] [--threads N]`: the lab in
// a browser, for machines without Electron's binary or to watch training on another machine.

export interface ServeArgs {
  port: number
  host: string
  workspace: string
  backend?: 'tensorflow' | 'wasm' | 'cpu'
  threads?: number
}

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  // LAB_BACKEND and LAB_THREADS as defaults (as in the Electron app); flags win.
  const engine = engineOptionsFromEnv()
  for (const warning of engine.warnings) process.stderr.write(`lab serve: ${warning}\n`)
  const args: ServeArgs = {
    port: Number(process.env['LAB_PORT'] ?? 5183),
    host: '127.0.0.1',
    workspace: process.env['LAB_WORKSPACE'] ?? join(homedir(), 'Autoencoder Lab'),
    backend: engine.preferredBackend,
    threads: engine.threads
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === '--port' && value !== undefined) {
      args.port = Number(value)
      i++
    } else if (flag === '--host' && value !== undefined) {
      args.host = value
      i++
    } else if (flag === '--workspace' && value !== undefined) {
      args.workspace = resolve(value)
      i++
    } else if (flag === '--backend' && value !== undefined) {
      const parsed = backendNameSchema.safeParse(value)
      if (!parsed.success)
        throw new Error(`--backend must be tensorflow, wasm or cpu, not "${value}"`)
      args.backend = parsed.data
      i++
    } else if (flag === '--threads' && value !== undefined) {
      args.threads = parseThreads(value)
      i++
    } else {
      throw new Error(
        `unknown option ${flag ?? ''} (options: --port N, --host ADDR, --workspace DIR, --backend NAME, --threads N)`
      )
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535`)
  }
  return args
}

/** Starts the browser host and keeps it running until the process is interrupted. */
export async function serve(argv: readonly string[]): Promise<void> {
  const args = parseServeArgs(argv)
  const host = await startBrowserHost({
    port: args.port,
    host: args.host,
    rendererDir: rendererDir(),
    datasetsDir: datasetsDir(),
    workerPath: trainingWorkerPath(),
    workspace: args.workspace,
    preferredBackend: args.backend,
    threads: args.threads,
    versions: labVersions()
  })
  process.stdout.write(
    `Autoencoder Lab is running at ${host.url} (Ctrl+C to stop); sessions in ${args.workspace}\n`
  )
  if (args.host !== '127.0.0.1' && args.host !== 'localhost') {
    process.stdout.write(
      `Warning: listening on ${args.host}; anyone who can reach it can drive the lab.\n`
    )
  }
  const shutdown = (): void => {
    void host.close().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

// Run directly (node out/main/serve.js) rather than imported by the CLI.
if (process.argv[1] && /serve\.js$/.test(process.argv[1])) {
  serve(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`lab serve: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
