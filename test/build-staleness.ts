import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

// Whether out/ (the built lab that host, worker and store tests run) is older than its sources.
// test/global-setup.ts rebuilds when it is, so a test never runs stale code after an edit.

/** What electron-vite builds from (relative to the repository root). */
export const BUILD_INPUTS = ['src', 'electron.vite.config.ts', 'package-lock.json']
/** Sources under src/ that are not inputs of that build (compiled by `npm run build:kernels`). */
export const NOT_BUILD_INPUTS = ['src/ml/kernels/assembly']
/** Files the tests need from the build. */
export const BUILD_OUTPUTS = ['out/main/training-worker.js', 'out/renderer/index.html']

interface Newest {
  path: string
  mtimeMs: number
}

/**
 * The newest file or folder among `paths` (a folder's own time changes when a file in it is
 * added, removed or renamed), walking folders; null when none exists.
 */
export function newestOf(
  root: string,
  paths: readonly string[],
  skip: readonly string[] = []
): Newest | null {
  const newer = (a: Newest | null, b: Newest | null): Newest | null =>
    !a || (b && b.mtimeMs > a.mtimeMs) ? b : a
  const visit = (path: string): Newest | null => {
    if (skip.includes(relative(root, path))) return null
    const stat = statSync(path)
    let newest: Newest | null = { path, mtimeMs: stat.mtimeMs }
    if (stat.isDirectory())
      for (const entry of readdirSync(path)) newest = newer(newest, visit(join(path, entry)))
    return newest
  }
  return paths
    .filter((path) => existsSync(join(root, path)))
    .reduce<Newest | null>((newest, path) => newer(newest, visit(join(root, path))), null)
}

/** Why out/ must be rebuilt before the tests run, or null when it is up to date. */
export function staleBuildReason(
  root: string,
  inputs: readonly string[] = BUILD_INPUTS,
  outputs: readonly string[] = BUILD_OUTPUTS,
  skip: readonly string[] = NOT_BUILD_INPUTS
): string | null {
  const missing = outputs.find((file) => !existsSync(join(root, file)))
  if (missing) return `${missing} is missing`
  const oldest = Math.min(...outputs.map((file) => statSync(join(root, file)).mtimeMs))
  const newest = newestOf(root, inputs, skip)
  if (newest && newest.mtimeMs > oldest)
    return `${relative(root, newest.path) || '.'} is newer than the build in out/`
  return null
}

/** Builds the lab with electron-vite when out/ is stale, saying why in one line. */
export function rebuildIfStale(root: string, who = 'test setup'): void {
  const reason = staleBuildReason(root)
  if (!reason) return
  process.stdout.write(`${who}: rebuilding the lab (${reason})\n`)
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' })
}
