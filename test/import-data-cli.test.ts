import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { readManifest } from '../src/services/import-data'
import { root } from './helpers'
import { encodeImage, removeScratch, scratch, writeImageFolder } from './import-files'

// `lab import-data` as a user runs it (the built CLI): progress, the report, a clear refusal,
// and Ctrl+C leaving no half-written data set.

const lab = join(root, 'bin/lab.mjs')

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [lab, ...args], {
      timeout: 120_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

afterAll(removeScratch)

describe('lab import-data', () => {
  it('imports a folder into the workspace and prints progress, counts per class and what was skipped', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [20, 14], { names: ['cats', 'dogs'] })
    writeFileSync(join(dir, 'dogs', 'bad.png'), (await encodeImage(3)).subarray(0, 40))
    const workspace = scratch('lab-workspace-')
    const result = await run(
      'import-data',
      dir,
      '--name',
      'pets',
      '--size',
      '16',
      '--workspace',
      workspace
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('decoding 0 of 35 images (0%)')
    expect(lines).toContain('decoding 35 of 35 images (100%)')
    expect(lines).toContain(
      'imported "pets": 29 training + 5 test images, 16x16 grey, 2 classes (split seeded 85/15)'
    )
    expect(lines).toContain('  cats        17        3')
    expect(lines).toContain('  dogs        12        2')
    expect(lines).toContain('skipped 1:')
    expect(lines.find((l) => l.startsWith('  dogs/bad.png: cannot be decoded'))).toBeDefined()
    expect(lines.at(-1)).toMatch(/^34 images in [\d.]+ s \(\d+ images\/s\); saved in /)
    const manifest = await readManifest(join(workspace, 'datasets'), 'pets')
    expect(manifest).toMatchObject({ size: 16, channels: 1, classes: ['cats', 'dogs'], skipped: 1 })
    const listed = await run('datasets', '--workspace', workspace)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/^mnist: built in, /m)
    expect(listed.stdout).toContain(
      `pets: imported from ${dir.split('/').pop()} (image-folder), 29 training + 5 test images, 16x16 grey, 2 classes, sha256 ${manifest.contentHash.slice(0, 12)}\n`
    )
  })

  it('bench import-data (an alias of import-images): imports generated PNGs and reports the rate, the CPU time and the load', async () => {
    const result = await run('bench', 'import-data', '--count', '60', '--json')
    expect(result.stderr).toBe('')
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      case: 'import-images',
      images: 60,
      targetImagesPerSecond: 2000,
      imagesPerSecond: expect.any(Number),
      cpuSeconds: expect.any(Number),
      readOnlySeconds: expect.any(Number),
      loadBefore: expect.any(Number)
    })
    // The generated images are gone with the bench's scratch folder.
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('lab-bench-import-'))).toEqual([])
  })

  it('--preview counts the classes and writes a grid of their first images, importing nothing', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [5, 9], { names: ['cats', 'dogs'] })
    const workspace = scratch('lab-workspace-')
    const grid = join(workspace, 'grid.png')
    const result = await run('import-data', dir, '--preview', grid, '--workspace', workspace)
    expect(result.stderr).toBe('')
    expect(result.stdout.split('\n')).toEqual([
      `${dir} (image-folder): 14 images in 2 classes`,
      '  cats         5',
      '  dogs         9',
      'skipped nothing',
      `${grid}: the first images of each class as the import makes them, one row per class; nothing was imported`,
      ''
    ])
    expect(readdirSync(workspace)).toEqual(['grid.png'])
  })

  it('answers --help', async () => {
    const help = await run('import-data', '--help')
    expect(help.stdout).toMatch(/^usage: lab import-data <path> --name NAME \[--size 28\]/)
  })

  it('refuses bad input with a one-line message and exit code 1', async () => {
    const workspace = scratch('lab-workspace-')
    const noName = await run('import-data', workspace)
    expect(noName.code).toBe(1)
    expect(noName.stderr).toContain('import-data needs a file or folder and --name NAME')
    const channels = await run('import-data', workspace, '--name', 'x', '--channels', '2')
    expect(channels.stderr).toBe('lab: --channels must be 1 or 3, not 2\n')
    const empty = await run('import-data', workspace, '--name', 'x', '--workspace', workspace)
    expect(empty.code).toBe(1)
    expect(empty.stderr).toMatch(/holds no class folders/)
  })

  it('stops on Ctrl+C (SIGINT) and leaves no data set, not even a half-written one', async () => {
    const dir = scratch()
    // JPEGs: decoded by sharp (the slow path), so the import is still running when Ctrl+C comes;
    // plain PNGs at the target size now import too fast for that (pngjs, ~12,000 images/s).
    await writeImageFolder(dir, [3000, 3000], { as: ['jpeg'] })
    const workspace = scratch('lab-workspace-')
    const child = spawn(process.execPath, [
      lab,
      'import-data',
      dir,
      '--name',
      'big',
      '--workspace',
      workspace
    ])
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        // Once decoding is under way, as a user pressing Ctrl+C would.
        if (/decoding [1-9]\d* of/.test(stdout)) child.kill('SIGINT')
      })
      child.on('exit', (exitCode) => resolve(exitCode))
    })
    expect(stdout).not.toContain('imported "big"')
    expect(stderr).toBe('lab: import cancelled: nothing was saved\n')
    expect(code).toBe(1)
    const datasets = join(workspace, 'datasets')
    expect(existsSync(datasets) ? readdirSync(datasets) : []).toEqual([])
  })
})
