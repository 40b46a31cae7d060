import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLab } from '../src/services/lab'
import type { EventPayload } from '../src/shared/contract'
import { defaultLetterConfig, sessionViewSchema } from '../src/shared/schemas'
import { damagedCorpus } from './damaged-sessions'
import {
  builtWorker,
  datasetsDir,
  letters,
  recoveryRunIds,
  root,
  scratchWorkspace
} from './helpers'

// A generated corpus of damaged and hostile session files (issue 13, "Done when"): truncations,
// flipped bytes, wrong content re-signed with a correct checksum, hostile sizes and nesting, and
// odd file types, opened through the CLI (`lab eval`), import (a dropped file) and open-by-name.
// Nothing is accepted, every refusal names the file and says why in one line, nothing echoes a
// file's content or a server path, nothing a refusal touches changes the open session, and
// nothing hangs.

const good = readFileSync(join(root, 'test/fixtures/saved-by-main.aelab'), 'utf8')
const corpus = damagedCorpus(good)
const workspace = scratchWorkspace()
const outside = scratchWorkspace()
/** Every damaged file by the name it has in the workspace, and what it is. */
const files: { name: string; what: string }[] = []

/** Fails instead of waiting forever. */
function within<T>(what: string, promise: Promise<T>, ms = 30_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s (hung)`)), ms)
    )
  ])
}

beforeAll(() => {
  corpus.forEach(([what, text], i) => {
    writeFileSync(join(workspace, `bad-${i}.aelab`), text)
    files.push({ name: `bad-${i}`, what })
  })
  execFileSync('mkfifo', [join(workspace, 'fifo.aelab')])
  files.push({ name: 'fifo', what: 'a named pipe' })
  mkdirSync(join(workspace, 'folder.aelab'))
  files.push({ name: 'folder', what: 'a folder' })
  symlinkSync('/etc/passwd', join(workspace, 'passwd.aelab'))
  files.push({ name: 'passwd', what: 'a link to /etc/passwd' })
  writeFileSync(join(outside, 'elsewhere.aelab'), good)
  symlinkSync(join(outside, 'elsewhere.aelab'), join(workspace, 'elsewhere.aelab'))
  files.push({ name: 'elsewhere', what: 'a link to a good file outside the workspace' })
})

describe('the damaged-session corpus', () => {
  const events: { name: string; payload: unknown }[] = []
  const lab = createLab({
    host: 'browser',
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm',
    emit: (name, payload) => events.push({ name, payload })
  })
  afterAll(() => lab.close())
  const h = lab.handlers
  const view = sessionViewSchema.parse({ lab: 'letters' })
  const points = [
    [0.3, -0.2],
    [1, 1]
  ]
  let runId = ''
  let before: { patterns: number[][] } = { patterns: [] }

  const expectRefusal = (error: unknown, label: string, what: string): void => {
    expect(error, what).toBeInstanceOf(Error)
    const message = (error as Error).message
    expect(message.startsWith(`${label}: `), `${what}: ${message}`).toBe(true)
    expect(message, what).not.toContain('\n')
    expect(message, what).not.toContain(workspace)
    expect(message, what).not.toMatch(/root:|internal|Maximum call stack|EISDIR/)
  }

  it('has an open session with an unsaved run to protect', async () => {
    // The file's runs reuse this id: a refusal must not replace its weights.
    const done = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.some((e) => e.name === 'runDone')) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    runId = (
      await h.startRun(letters({ ...defaultLetterConfig, epochs: 30, maxWrongPixels: null }))
    ).runId
    await done
    const finished = events.find((e) => e.name === 'runDone')!.payload as EventPayload<'runDone'>
    expect(finished.runId).toBe(runId)
    before = await h.decodeLatent({ runId, points })
    await lab.sessions.autosave()
    expect(recoveryRunIds(workspace)).toEqual([runId])
  })

  it('refuses every damaged file dropped on the window (import)', async () => {
    for (const [what, text] of corpus) {
      // The same damage on a file whose first run has the open session's run id.
      const hostile = text.replaceAll(JSON.parse(good).runs[0].id as string, runId)
      for (const body of [text, hostile]) {
        const error = await within(
          what,
          h.importSession({ fileName: 'dropped.aelab', text: body }).then(
            () => null,
            (e: unknown) => e
          )
        )
        expectRefusal(error, 'dropped.aelab', `import of ${what}`)
      }
    }
  })

  it('refuses every damaged file and odd entry opened by name', async () => {
    for (const { name, what } of files) {
      const error = await within(
        what,
        h.openSession({ target: { name } }).then(
          () => null,
          (e: unknown) => e
        )
      )
      expectRefusal(error, `${name}.aelab`, `open of ${what}`)
    }
  })

  it('left the open session as it was', async () => {
    expect(await h.decodeLatent({ runId, points })).toEqual(before)
    expect(recoveryRunIds(workspace)).toEqual([runId])
    await h.saveSession({ target: { name: 'kept' }, runIds: [runId], view, customGlyphs: [] })
    const opened = await h.openSession({ target: { name: 'kept' } })
    expect(opened.session.runs.map((r) => r.id)).toEqual([runId])
    expect(await h.decodeLatent({ runId, points })).toEqual(before)
  })
})

describe('the corpus through the command line', () => {
  const evaluate = (path: string): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin/lab.mjs'), 'eval', path],
        { timeout: 60_000, killSignal: 'SIGKILL' },
        (error, _stdout, stderr) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? null) : 0,
            stderr: (error as { killed?: boolean } | null)?.killed ? 'hung' : stderr
          })
      )
    })

  it('lab eval refuses each file with one line naming it, and never hangs', async () => {
    // A link the user names on the command line is theirs to follow; every other entry is bad.
    for (const { name, what } of files.filter((f) => f.name !== 'elsewhere')) {
      const path = join(workspace, `${name}.aelab`)
      const result = await evaluate(path)
      expect(result.stderr, what).not.toBe('hung')
      expect(result.code, `${what}: ${result.stderr}`).toBe(1)
      expect(result.stderr, what).toMatch(
        new RegExp(`^lab: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\n]+\n$`)
      )
      expect(result.stderr, what).not.toMatch(/root:|Maximum call stack|EISDIR/)
    }
  }, 900_000)
})
