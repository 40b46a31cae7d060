import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { readSession } from '../src/services/session-file'
import { root } from './helpers'

// `lab sweep` for real (issue 17 item 2): a tiny grid trains through the one run driver and
// lands in a session as one sweep; Ctrl+C stops the run in progress and keeps the finished ones.

const scratch = mkdtempSync(join(tmpdir(), 'lab-sweep-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const cli = join(root, 'bin/lab.mjs')

const base = {
  kind: 'autoencoder',
  font: 'Font1',
  subset: [0, 1, 2, 3],
  hidden: [8],
  latent: 2,
  activation: 'tanh',
  learningRate: 0.02,
  epochs: 30,
  maxWrongPixels: null,
  seed: 1
}

const write = (name: string, doc: unknown): string => {
  const path = join(scratch, name)
  writeFileSync(path, JSON.stringify(doc))
  return path
}

describe('lab sweep', () => {
  it('runs every combination and seed and writes them as one sweep, with the table', async () => {
    const file = write('layers.json', {
      name: 'tiny layers',
      base,
      grid: [{ parameter: 'hidden', values: [[8], [10, 6]] }],
      seeds: [1, 2]
    })
    const out = join(scratch, 'layers.aelab')
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [cli, 'sweep', file, '--out', out],
      { cwd: scratch, timeout: 120_000 }
    )
    expect(stderr).toContain('sweep tiny layers: 4 runs (autoencoder)')
    expect(stderr).toContain('run 2/4 (hidden = [10, 6], seed 1): completed after 30 epochs')
    // One row per combination, mean ± spread over the two seeds.
    expect(stdout).toMatch(/^hidden\s+seeds\s+wrong px/m)
    expect(stdout).toMatch(/^\[10, 6\]\s+2\s+\d+\.\d\d ± \d+\.\d\d/m)
    expect(stdout).toContain('4 of 4 runs finished')
    const session = await readSession(out)
    expect(session.name).toBe('tiny layers')
    expect(session.runs).toHaveLength(4)
    const tags = session.runs.map((r) => r.experiment.sweep!)
    expect(new Set(tags.map((t) => t.id)).size).toBe(1)
    expect(tags.map((t) => [t.index, t.seed, t.parameters])).toEqual([
      [0, 1, { hidden: [8] }],
      [1, 1, { hidden: [10, 6] }],
      [2, 2, { hidden: [8] }],
      [3, 2, { hidden: [10, 6] }]
    ])
    expect(
      session.runs.map((r) => ('hidden' in r.experiment ? r.experiment.hidden : null))
    ).toEqual([[8], [10, 6], [8], [10, 6]])
    expect(session.runs.every((r) => r.status === 'completed' && r.epochs === 30)).toBe(true)
    expect(session.runs[3]!.experiment.seed).toBe(2)
  })

  it('refuses a bad combination before training, naming the parameter and value', async () => {
    const file = write('bad.json', {
      name: 'bad',
      base,
      grid: [{ parameter: 'latent', values: [2, 99] }]
    })
    const failed = await promisify(execFile)(process.execPath, [cli, 'sweep', file], {
      cwd: scratch
    }).catch((e: { stderr: string; code: number }) => e)
    expect('code' in failed && failed.code).toBe(1)
    expect(failed.stderr).toContain('the sweep "bad" cannot run latent = 99: latent: Too big')
  })

  it('stops on Ctrl+C: the run in progress stops, the finished runs are kept', async () => {
    const file = write('stop.json', {
      name: 'stopped sweep',
      base,
      // The second run would go on for a million epochs: it is stopped.
      grid: [{ parameter: 'epochs', values: [20, 1_000_000, 20] }]
    })
    const out = join(scratch, 'stop.aelab')
    const child = spawn(process.execPath, [cli, 'sweep', file, '--out', out], { cwd: scratch })
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    // 'close': the process has exited and its output has been read.
    const exited = new Promise<number | null>((done) => child.on('close', done))
    await new Promise<void>((started) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        // Run 2 is training (its progress line, every 2 s in a log), after run 1 finished.
        if (/run 2\/3 \(epochs = 1000000, seed 1\): epoch [1-9]/.test(stderr)) started()
      })
    )
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stderr).toContain('run 1/3 (epochs = 20, seed 1): completed')
    expect(stderr).toContain('stopping the sweep')
    expect(stderr).toMatch(/run 2\/3 \(epochs = 1000000, seed 1\): stopped after \d+ epochs/)
    expect(stderr).not.toContain('run 3/3')
    expect(stdout).toContain('stopped: 1 of 3 runs finished (and 1 stopped, kept)')
    const session = await readSession(out)
    expect(session.runs.map((r) => [r.status, r.experiment.sweep!.index])).toEqual([
      ['completed', 0],
      ['stopped', 1]
    ])
    expect(session.runs[0]!.epochs).toBe(20)
  })
})
