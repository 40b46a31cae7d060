import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILD_INPUTS, BUILD_OUTPUTS, NOT_BUILD_INPUTS, staleBuildReason } from './build-staleness'
import { builtWorker, root } from './helpers'

// The test setup rebuilds out/ when a source is newer than it (issue 15, item 6): checked on a
// scratch tree of real files whose times are set, as an edit, a checkout or a deletion sets them.

const T0 = new Date('2026-01-01T00:00:00Z')
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000)

function tree(): { dir: string; touch: (path: string, seconds: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-staleness-'))
  const touch = (path: string, seconds: number): void => {
    const full = join(dir, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, path)
    utimesSync(full, at(seconds), at(seconds))
  }
  // Sources at t=0 (their folders too), then a build at t=10.
  for (const path of [
    'src/main/index.ts',
    'src/renderer/src/App.vue',
    'src/ml/kernels/assembly/dense.ts',
    'electron.vite.config.ts',
    'package-lock.json'
  ])
    touch(path, 0)
  for (const folder of [
    'src',
    'src/main',
    'src/renderer',
    'src/renderer/src',
    'src/ml',
    'src/ml/kernels',
    'src/ml/kernels/assembly'
  ])
    utimesSync(join(dir, folder), at(0), at(0))
  for (const path of BUILD_OUTPUTS) touch(path, 10)
  return { dir, touch }
}

describe('staleBuildReason', () => {
  it('needs no build when out/ is newer than every source', () => {
    const { dir } = tree()
    expect(staleBuildReason(dir)).toBeNull()
    rmSync(dir, { recursive: true })
  })

  it('names a missing build output', () => {
    const { dir } = tree()
    rmSync(join(dir, 'out/renderer'), { recursive: true })
    expect(staleBuildReason(dir)).toBe('out/renderer/index.html is missing')
    rmSync(dir, { recursive: true })
  })

  it('names the edited source when one is newer than the oldest output', () => {
    const { dir, touch } = tree()
    touch('src/renderer/src/App.vue', 20)
    expect(staleBuildReason(dir)).toBe('src/renderer/src/App.vue is newer than the build in out/')
    touch('out/main/training-worker.js', 30)
    // out/renderer/index.html (t=10) is still older than the edit.
    expect(staleBuildReason(dir)).toMatch(/^src\/renderer\/src\/App\.vue is newer/)
    touch('out/renderer/index.html', 30)
    expect(staleBuildReason(dir)).toBeNull()
    rmSync(dir, { recursive: true })
  })

  it('sees the build configuration and the lock file', () => {
    const { dir, touch } = tree()
    touch('package-lock.json', 20)
    expect(staleBuildReason(dir)).toBe('package-lock.json is newer than the build in out/')
    touch('electron.vite.config.ts', 25)
    expect(staleBuildReason(dir)).toBe('electron.vite.config.ts is newer than the build in out/')
    rmSync(dir, { recursive: true })
  })

  it('sees a deleted source by its folder', () => {
    const { dir } = tree()
    rmSync(join(dir, 'src/main/index.ts'))
    // Deleting a file stamps its folder with the time of the deletion (now, long after t=10).
    expect(staleBuildReason(dir)).toBe('src/main is newer than the build in out/')
    rmSync(dir, { recursive: true })
  })

  it('ignores the AssemblyScript kernels, which this build does not compile', () => {
    const { dir, touch } = tree()
    touch('src/ml/kernels/assembly/dense.ts', 20)
    utimesSync(join(dir, 'src/ml/kernels/assembly'), at(0), at(0))
    expect(staleBuildReason(dir)).toBeNull()
    rmSync(dir, { recursive: true })
  })

  it('watches paths this repository has, and the outputs the tests run', () => {
    for (const path of [...BUILD_INPUTS, ...NOT_BUILD_INPUTS])
      expect(existsSync(join(root, path)), path).toBe(true)
    expect(BUILD_OUTPUTS.map((path) => join(root, path))).toContain(builtWorker)
  })
})
