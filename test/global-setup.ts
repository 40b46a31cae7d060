import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

// Host and worker tests run the built worker and renderer (as the app does); build them once if
// this checkout has not been built yet.
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..')
  const needed = ['out/main/training-worker.js', 'out/renderer/index.html']
  if (needed.every((file) => existsSync(resolve(root, file)))) return
  process.stdout.write('test setup: building the lab (out/ is missing)\n')
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' })
}
