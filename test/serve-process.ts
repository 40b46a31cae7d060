import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { root, scratchWorkspace } from './helpers'

// `lab serve` as users run it (node out/main/serve.js) in a child process: a crash shows as an
// exit instead of killing the test runner, and its memory can be measured from outside.

export interface ServeProcess {
  /** The URL it printed (with `?token=` when it has one). */
  printed: string
  /** http://HOST:PORT/ without the token. */
  url: string
  port: number
  child: ChildProcess
  /** Set once the process has exited, with its code or signal. */
  exit: string | null
  /** The process's resident memory, in bytes (from `ps`). */
  rss(): number
  stop(): Promise<void>
}

export function startServeProcess(
  args: readonly string[] = [],
  env: Record<string, string> = {}
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [resolve(root, 'out/main/serve.js'), '--port', '0', '--workspace', scratchWorkspace(), ...args],
    {
      env: { ...process.env, LAB_BACKEND: 'wasm', LAB_THREADS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let output = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolvePromise, reject) => {
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.once('exit', (code, signal) => {
      handle.exit = `exit code ${code ?? 'none'}, signal ${signal ?? 'none'}: ${stderr.trim()}`
      reject(new Error(`lab serve exited before listening (${handle.exit}): ${output}`))
    })
    const handle: ServeProcess = {
      printed: '',
      url: '',
      port: 0,
      child,
      exit: null,
      rss: () => {
        const kb = execFileSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' })
        return Number(kb.trim()) * 1024
      },
      stop: async () => {
        if (handle.exit === null) child.kill('SIGTERM')
        await exited
      }
    }
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /running at (http:\/\/\S+?) /.exec(output)
      if (match && !handle.url) {
        handle.printed = match[1]!
        const url = new URL(handle.printed)
        handle.port = Number(url.port)
        handle.url = `${url.origin}/`
        resolvePromise(handle)
      }
    })
  })
}
