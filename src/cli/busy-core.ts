import { spawn } from 'node:child_process'

// `--busy-core`: one core kept busy by another process while a benchmark measures, as on a
// user's laptop where something else is always running. The process is a plain busy loop that
// ends by itself after `limitSeconds` even if this one is killed, and is stopped as soon as the
// measurement is done.

/**
 * Runs `work` with a busy-loop process alongside when `busy` (its pid passed to `work`), and
 * returns what `work` returns once that process has ended.
 */
export async function withBusyCore<T>(
  busy: boolean,
  work: (pid: number | null) => Promise<T>,
  limitSeconds = 1800
): Promise<T> {
  if (!busy) return work(null)
  const loop = `const end = Date.now() + ${limitSeconds * 1000}; let n = 0; while (Date.now() < end) n++`
  const child = spawn(process.execPath, ['-e', loop], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const spawned = new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!))
    child.once('error', reject)
  })
  const stop = (): void => void child.kill()
  process.once('exit', stop)
  try {
    return await work(await spawned)
  } finally {
    stop()
    process.off('exit', stop)
    await exited
  }
}
