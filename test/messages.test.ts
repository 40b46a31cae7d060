import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { root } from './helpers'

// What installing and testing print: colour only on a terminal, and the EBADENGINE warnings
// that npm prints on Node 20 explained rather than left to alarm.
const run = promisify(execFile)
const script = (name: string): string => join(root, 'scripts', name)

describe('colour only on a terminal', () => {
  it('sets NO_COLOR for a command whose output is piped, unless colour is forced', async () => {
    const probe = ['-e', 'process.stdout.write(String(process.env.NO_COLOR))']
    const env = { ...process.env }
    delete env['NO_COLOR']
    delete env['FORCE_COLOR']
    const piped = await run(
      process.execPath,
      [script('plain-when-piped.mjs'), process.execPath, ...probe],
      { env }
    )
    expect(piped.stdout).toBe('1')
    const forced = await run(
      process.execPath,
      [script('plain-when-piped.mjs'), process.execPath, ...probe],
      {
        env: { ...env, FORCE_COLOR: '1' }
      }
    )
    expect(forced.stdout).toBe('undefined')
  })

  it('runs vitest without ANSI escapes when its output is not a terminal', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' }
    delete env['NO_COLOR']
    delete env['FORCE_COLOR']
    const vitest = join(root, 'node_modules/vitest/vitest.mjs')
    const args = [vitest, 'run', 'test/vae-status.test.ts']
    const plain = await run(
      process.execPath,
      [script('plain-when-piped.mjs'), process.execPath, ...args],
      {
        cwd: root,
        env
      }
    )
    expect(plain.stdout).toMatch(/passed/)
    expect(plain.stdout + plain.stderr).not.toContain('\x1b[')
    // Without the wrapper, vitest colours piped output: the reason the wrapper exists.
    const raw = await run(process.execPath, args, { cwd: root, env })
    expect(raw.stdout).toContain('\x1b[')
  }, 60_000)

  it('the test scripts go through the wrapper', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts
    expect(scripts['test:unit']).toMatch(/^node scripts\/plain-when-piped\.mjs vitest /)
    expect(scripts['test:e2e']).toMatch(/node scripts\/plain-when-piped\.mjs playwright /)
  })
})

describe('the install note', () => {
  it('explains the EBADENGINE warnings on Node 20 and stays quiet where they do not occur', async () => {
    const on20 = await run(process.execPath, [script('install-note.mjs'), '20.19.0'])
    // Electron 45 and its tooling declare Node >= 22.12 (electron-builder's rebuild step too).
    expect(on20.stdout).toMatch(
      /About the \d+ "EBADENGINE" warnings above: [^;]*@electron\/get, [^;]*electron[^;]* declare Node 22\.12\.0 or newer; this is Node 20\.19\.0\./
    )
    expect(on20.stdout).toContain('support Node 20.19 and newer')
    for (const version of ['22.12.0', '24.11.1'])
      expect((await run(process.execPath, [script('install-note.mjs'), version])).stdout).toBe('')
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts
    expect(scripts['postinstall']).toBe('node scripts/install-note.mjs')
  })
})
