import { randomBytes } from 'node:crypto'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { startBrowserHost } from './browser-host'
import { accessTokenSchema, isLoopback } from './access'
import { datasetsDir, rendererDir, trainingWorkerPath } from '../services/paths'
import { backendNameSchema, parseThreads } from '../shared/schemas'
import { labVersions } from '../services/versions'
import { engineOptionsFromEnv } from '../services/engine-options'

// `node out/main/serve.js [--port N] [--host ADDR] [--token T] [--backend tensorflow|wasm|cpu] [--threads N]`:
// the lab in a browser, for machines without Electron's binary or to watch training on another
// machine. Beyond the loopback interface it needs a token: random per launch unless given.

export interface ServeArgs {
  port: number
  host: string
  /** Required on every request; always set for a non-loopback host. */
  token?: string
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
    } else if (flag === '--token' && value !== undefined) {
      const parsed = accessTokenSchema.safeParse(value)
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message)
      args.token = parsed.data
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
        `unknown option ${flag ?? ''} (options: --port N, --host ADDR, --token T, --workspace DIR, --backend NAME, --threads N)`
      )
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535`)
  }
  if (!isLoopback(args.host)) args.token ??= randomBytes(24).toString('hex')
  return args
}

/** Starts the browser host and keeps it running until the process is interrupted. */
export async function serve(argv: readonly string[]): Promise<void> {
  const args = parseServeArgs(argv)
  const host = await startBrowserHost({
    port: args.port,
    host: args.host,
    token: args.token,
    log: (line) => process.stderr.write(`lab serve: ${line}\n`),
    rendererDir: rendererDir(),
    datasetsDir: datasetsDir(),
    workerPath: trainingWorkerPath(),
    workspace: args.workspace,
    preferredBackend: args.backend,
    threads: args.threads,
    versions: labVersions()
  })
  const withToken = (url: string): string => (args.token ? `${url}?token=${args.token}` : url)
  process.stdout.write(
    `Autoencoder Lab is running at ${withToken(host.url)} (Ctrl+C to stop); sessions in ${args.workspace}\n`
  )
  if (args.host === '0.0.0.0' || args.host === '::') {
    process.stdout.write(`  or ${withToken(`http://127.0.0.1:${new URL(host.url).port}/`)}\n`)
  }
  if (!isLoopback(args.host)) {
    process.stdout.write(
      `Listening on ${args.host}: anyone with this address, token included, can drive the lab.\n`
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
