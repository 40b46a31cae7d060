import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { staleBuildReason } from './build-staleness'

// Host and worker tests run the built worker and renderer (as the app does): build them when this
// checkout has not been built yet, or when a source is newer than the build (an edit since).
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..')
  const reason = staleBuildReason(root)
  if (!reason) return
  process.stdout.write(`test setup: rebuilding the lab (${reason})\n`)
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' })
}
