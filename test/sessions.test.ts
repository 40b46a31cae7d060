import { spawn, execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLab, type Lab } from '../src/services/lab'
import {
  MAX_SESSION_BYTES,
  parseSession,
  readSession,
  SessionFileError,
  writeSession
} from '../src/services/session-file'
import { defaultLetterConfig, sessionViewSchema, vaeTrainConfigSchema } from '../src/shared/schemas'
import type { EventName, EventPayload } from '../src/shared/contract'
import {
  builtWorker,
  datasetsDir,
  letters,
  recoveryRunIds,
  root,
  scratchWorkspace
} from './helpers'
import { resign } from './damaged-sessions'

const workspace = scratchWorkspace()
let good = ''
let goodPath = ''

beforeAll(() => {
  // A real session with weights, written by the real CLI.
  const experiment = join(workspace, 'small.json')
  writeFileSync(
    experiment,
    JSON.stringify({
      kind: 'autoencoder',
      font: 'Font1',
      hidden: [16],
      latent: 2,
      activation: 'tanh',
      learningRate: 0.02,
      epochs: 60,
      maxWrongPixels: null,
      seed: 1
    })
  )
  goodPath = join(workspace, 'good.aelab')
  execFileSync(process.execPath, [
    join(root, 'bin/lab.mjs'),
    'train',
    experiment,
    '--out',
    goodPath,
    '--quiet'
  ])
  good = readFileSync(goodPath, 'utf8')
})

const expectClearError = (text: string, label = 'f.aelab'): string => {
  try {
    parseSession(text, label)
  } catch (error) {
    expect(error).toBeInstanceOf(SessionFileError)
    const message = (error as Error).message
    expect(message.startsWith(`${label}: `)).toBe(true)
    expect(message).toMatch(
      /not valid JSON|nested too deeply|not an Autoencoder Lab session file|damaged session file|newer version/
    )
    return message
  }
  throw new Error('a damaged file was accepted')
}

describe('damaged session files', () => {
  it('parses the good one', () => {
    const session = parseSession(good, 'good.aelab')
    expect(session.runs).toHaveLength(1)
    expect(session.integrity).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a file truncated at any of 60 offsets', () => {
    for (let k = 0; k < 60; k++) {
      const at = Math.floor(((k + 0.5) / 60) * good.length)
      expectClearError(good.slice(0, at))
    }
    expect(expectClearError('')).toMatch(/not valid JSON/)
  })

  it('refuses a file with a flipped byte anywhere, structure or data', () => {
    // The checksum covers the values the file holds, so a flip in the 17th significant digit of
    // a number that still rounds to the same float64 changes nothing and may be read; every
    // other flip has to be refused. (About 5 of the 42,000 bytes of this file are such digits.)
    const original = JSON.stringify(parseSession(good, 'good.aelab'))
    let refused = 0
    for (let k = 0; k < 60; k++) {
      const at = Math.floor(((k + 0.5) / 60) * good.length)
      const flipped =
        good.slice(0, at) + String.fromCharCode(good.charCodeAt(at) ^ 0x04) + good.slice(at + 1)
      let read: unknown
      try {
        read = parseSession(flipped, 'f.aelab')
      } catch {
        expectClearError(flipped)
        refused += 1
        continue
      }
      expect(JSON.stringify(read), `flip at byte ${at} was read as different data`).toBe(original)
    }
    expect(refused).toBeGreaterThanOrEqual(55)
  })

  it('names wrong types, missing parts and unknown fields', () => {
    const doc = JSON.parse(good) as Record<string, unknown> & { runs: Record<string, unknown>[] }
    delete doc['integrity']
    // Re-signed: the checksum matches, so the schema has to find what is wrong.
    const variant = (edit: (d: typeof doc) => void): string => {
      const copy = JSON.parse(JSON.stringify(doc)) as typeof doc
      edit(copy)
      return resign(copy)
    }
    expect(expectClearError(variant((d) => (d.runs[0]!['epochs'] = 'ten')))).toMatch(
      /runs\.0\.epochs/
    )
    expect(expectClearError(variant((d) => delete d.runs[0]!['networks']))).toMatch(
      /runs\.0\.networks/
    )
    expect(expectClearError(variant((d) => delete (d as Record<string, unknown>)['runs']))).toMatch(
      /runs/
    )
    expect(
      expectClearError(
        variant((d) => ((d.runs[0]!['experiment'] as Record<string, unknown>)['hidden'] = [-3]))
      )
    ).toMatch(/runs\.0\.experiment/)
    expect(expectClearError(variant((d) => (d['version'] = 2)))).toMatch(
      /newer version of the lab \(session format 2/
    )
    expect(expectClearError(variant((d) => (d['format'] = 'something-else')))).toMatch(
      /not an Autoencoder Lab session file/
    )
    expect(expectClearError('[1, 2, 3]')).toMatch(/not an Autoencoder Lab session file/)
    // Re-signed and unchanged, it is the good file again.
    expect(
      parseSession(
        variant(() => undefined),
        'resigned.aelab'
      ).runs
    ).toHaveLength(1)
  })

  it('refuses huge and absurdly nested documents safely', async () => {
    expectClearError(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)
    const many = JSON.parse(good) as { runs: unknown[]; integrity?: string }
    many.runs = new Array(501).fill(many.runs[0])
    expect(expectClearError(resign(many))).toMatch(/runs/)
    const huge = join(workspace, 'huge.aelab')
    writeFileSync(huge, '')
    truncateSync(huge, MAX_SESSION_BYTES + 1)
    await expect(readSession(huge)).rejects.toThrow(/sessions are at most 256 MB/)
  })
})

describe('atomic saves', () => {
  it('a save killed midway leaves the previous file intact', async () => {
    // The CLI writes a VAE session of about 20 MB; kill it as soon as its temporary file appears.
    const out = join(workspace, 'big.aelab')
    writeFileSync(out, good)
    const experiment = join(workspace, 'big.json')
    writeFileSync(
      experiment,
      JSON.stringify({
        kind: 'vae',
        dataset: 'mnist',
        trainSize: 128,
        batchSize: 128,
        hidden: [2048],
        epochs: 1
      })
    )
    const child = spawn(
      process.execPath,
      [join(root, 'bin/lab.mjs'), 'train', experiment, '--out', out, '--quiet'],
      { stdio: 'ignore' }
    )
    let sawTemporary = false
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    while (child.exitCode === null && !sawTemporary) {
      sawTemporary = readdirSync(workspace).some(
        (f) => f.startsWith('big.aelab.') && f.endsWith('.tmp')
      )
      if (sawTemporary) child.kill('SIGKILL')
      else await new Promise((resolve) => setImmediate(resolve))
    }
    await exited
    expect(sawTemporary, 'the save was caught midway').toBe(true)
    expect(readFileSync(out, 'utf8')).toBe(good)
    expect((await readSession(out)).runs).toHaveLength(1)
  }, 120_000)

  it('replaces the file only once the new one is complete', async () => {
    const path = join(workspace, 'replace.aelab')
    const session = parseSession(good, 'good')
    await writeSession(path, { ...session, name: 'first' })
    await writeSession(path, { ...session, name: 'second' })
    expect((await readSession(path)).name).toBe('second')
    expect(
      readdirSync(workspace).filter((f) => f.startsWith('replace.aelab') && f.endsWith('.tmp'))
    ).toEqual([])
  })
})

describe('session round trip through the services of a host', () => {
  let first: Lab
  let second: Lab
  // Every event the first lab emits, and waiters resolved as matching events arrive.
  const events: [EventName, unknown][] = []
  const waiters: { match: (n: EventName, p: unknown) => boolean; resolve: (p: unknown) => void }[] =
    []
  const record = (n: EventName, p: unknown): void => {
    events.push([n, p])
    for (const w of waiters.filter((w) => w.match(n, p))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(p)
    }
  }
  const waitFor = <K extends EventName>(name: K, runId: string): Promise<EventPayload<K>> => {
    const match = (n: EventName, p: unknown): boolean =>
      n === name && (p as { runId: string }).runId === runId
    const hit = events.find(([n, p]) => match(n, p))
    if (hit) return Promise.resolve(hit[1] as EventPayload<K>)
    return new Promise((resolve) =>
      waiters.push({ match, resolve: (p) => resolve(p as EventPayload<K>) })
    )
  }
  const options = (emit: (n: EventName, p: unknown) => void) => ({
    host: 'browser' as const,
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    emit: emit as never,
    preferredBackend: 'wasm' as const
  })

  beforeAll(() => {
    first = createLab(options(record))
    second = createLab(options(() => undefined))
  })
  afterAll(async () => {
    await first.close()
    await second.close()
  })

  it('saves letters, denoising and VAE runs with the view and custom glyphs, and reopens them in a fresh worker', async () => {
    const h = first.handlers
    const glyphRun = await h.startRun(letters({ ...defaultLetterConfig, font: 'Font2' }))
    await waitFor('runDone', glyphRun.runId)
    const denoising = await h.startRun({
      ...defaultLetterConfig,
      kind: 'denoising',
      epochs: 50,
      maxWrongPixels: null,
      noise: { kind: 'gaussian', level: 0.3, copies: 3, fresh: true, seed: 2 }
    })
    await waitFor('runDone', denoising.runId)
    const vae = await h.startRun({
      ...vaeTrainConfigSchema.parse({
        dataset: 'fashion-mnist',
        trainSize: 256,
        hidden: [16],
        epochs: 2,
        batchSize: 64
      }),
      kind: 'vae'
    })
    await waitFor('runDone', vae.runId)

    const view = sessionViewSchema.parse({
      lab: 'denoising',
      selectedRunId: denoising.runId,
      compared: [glyphRun.runId],
      letters: {
        gridSize: 9,
        dims: [0, 1],
        probe: [0.5, 0.25],
        interpolation: { from: 3, to: 4, steps: 5 }
      },
      vae: {
        runId: vae.runId,
        waypoints: [
          [0, 0],
          [1, 1]
        ]
      }
    })
    const glyph = { char: 'x', code: 120, pixels: new Array(35).fill(0).map((_, i) => i % 2) }
    const ids = [glyphRun.runId, denoising.runId, vae.runId]
    await h.saveSession({
      target: { name: 'round trip' },
      runIds: ids,
      view,
      customGlyphs: [glyph],
      characterSets: [{ name: 'Mine (font.h)', source: 'font.h', glyphs: [glyph] }]
    })
    expect((await h.listSessions(undefined)).map((s) => s.name)).toContain('round trip')

    const points = [
      [0.3, -0.2],
      [1, 1]
    ]
    const before = await Promise.all(ids.map((runId) => h.decodeLatent({ runId, points })))
    const opened = await second.handlers.openSession({ target: { name: 'round trip' } })
    expect(opened.session.runs.map((r) => [r.id, r.experiment.kind])).toEqual([
      [glyphRun.runId, 'autoencoder'],
      [denoising.runId, 'denoising'],
      [vae.runId, 'vae']
    ])
    expect(opened.session.view).toEqual(view)
    expect(opened.session.customGlyphs).toEqual([glyph])
    expect(opened.session.characterSets).toEqual([
      { name: 'Mine (font.h)', source: 'font.h', glyphs: [glyph] }
    ])
    const lettersRun = opened.session.runs[0]!
    expect(lettersRun.status).toBe('solved')
    expect(lettersRun.history['loss']!.length).toBeGreaterThan(10)
    expect(lettersRun.glyphs).toHaveLength(32)
    expect(opened.session.runs[1]!.denoising?.freshNoise.copies).toBeGreaterThanOrEqual(3)
    expect(opened.session.runs[2]!.history['kl']).toHaveLength(2)
    // The second host never trained these runs: its worker decodes with the saved weights.
    const after = await Promise.all(
      ids.map((runId) => second.handlers.decodeLatent({ runId, points }))
    )
    after.forEach((result, i) => {
      result.patterns
        .flat()
        .forEach((v, k) => expect(v).toBeCloseTo(before[i]!.patterns.flat()[k]!, 5))
    })
    expect((await second.handlers.vaeTestSet({ runId: vae.runId })).points).toHaveLength(10000)
    // The command line evaluates the app's session too.
    const printed = execFileSync(
      process.execPath,
      [join(root, 'bin/lab.mjs'), 'eval', join(workspace, 'round trip.aelab')],
      { encoding: 'utf8' }
    )
    expect(printed).toMatch(/autoencoder, Font2, solved/)
    expect(printed).toMatch(/denoising, fresh noise\s+mean wrong pixels/)
    expect(printed).toMatch(/vae, fashion-mnist, completed, 2 epochs/)
  })

  it('autosaves unsaved runs, not saved ones, and offers them back after a crash', async () => {
    // Every run of the first lab was saved: none is in a recovery file.
    expect(recoveryRunIds(workspace)).toEqual([])
    const run = await first.handlers.startRun(
      letters({
        ...defaultLetterConfig,
        epochs: 30,
        maxWrongPixels: null
      })
    )
    await waitFor('runDone', run.runId)
    await first.sessions.autosave()
    expect(recoveryRunIds(workspace)).toEqual([run.runId])
    // The first lab's own session holds that run: it offers nothing to itself.
    expect(await first.handlers.recoveryInfo(undefined)).toBeNull()
    // A new lab over the same workspace (the app restarted) finds it and recovers it.
    const third = createLab(options(() => undefined))
    try {
      expect(await third.handlers.recoveryInfo(undefined)).toMatchObject({ runs: 1 })
      const recovered = await third.handlers.recoverSession(undefined)
      expect(recovered.session.runs.map((r) => r.id)).toEqual([run.runId])
      // Now the third lab's unsaved work: in its recovery file, offered to no one else of its own.
      expect(recoveryRunIds(workspace)).toEqual([run.runId])
      expect(await third.handlers.recoveryInfo(undefined)).toBeNull()
    } finally {
      await third.close()
    }
    const fourth = createLab(options(() => undefined))
    try {
      expect(await fourth.handlers.recoveryInfo(undefined)).toMatchObject({ runs: 1 })
      await fourth.handlers.discardRecovery(undefined)
      expect(await fourth.handlers.recoveryInfo(undefined)).toBeNull()
      expect(recoveryRunIds(workspace)).toEqual([])
    } finally {
      await fourth.close()
    }
  })

  /**
   * A lab over a fresh workspace that checkpoints running runs every 0.2 s, and a promise of its
   * first checkpoint (listened for before training starts).
   */
  function crashingLab(): {
    crashing: Lab
    crashWorkspace: string
    firstCheckpoint: Promise<void>
  } {
    const crashWorkspace = scratchWorkspace()
    const crashing = createLab({
      ...options(() => undefined),
      workspace: crashWorkspace,
      checkpointSeconds: 0.2
    })
    const firstCheckpoint = new Promise<void>((resolve) => {
      const original = crashing.sessions.checkpoint.bind(crashing.sessions)
      crashing.sessions.checkpoint = (id, networks, record) => {
        original(id, networks, record)
        resolve()
      }
    })
    return { crashing, crashWorkspace, firstCheckpoint }
  }

  it('checkpoints a long run so that a crash mid-training can be recovered', async () => {
    // Wait for the first checkpoint and the autosave it triggers, then "crash": the worker
    // dies mid-run.
    const { crashing, crashWorkspace, firstCheckpoint } = crashingLab()
    const { runId } = await crashing.handlers.startRun({
      ...vaeTrainConfigSchema.parse({
        dataset: 'mnist',
        trainSize: 512,
        hidden: [32],
        epochs: 1000,
        batchSize: 64
      }),
      kind: 'vae'
    })
    // The checkpoint is in the recovery file once its autosave is done.
    await firstCheckpoint
    await crashing.sessions.autosave()
    expect(recoveryRunIds(crashWorkspace)).toEqual([runId])
    await crashing.close()
    const restarted = createLab({ ...options(() => undefined), workspace: crashWorkspace })
    try {
      const recovered = await restarted.handlers.recoverSession(undefined)
      const run = recovered.session.runs.find((r) => r.id === runId)!
      expect(run.status).toBe('stopped')
      expect(run.message).toMatch(/recovered from a checkpoint at epoch \d+/)
      const decoded = await restarted.handlers.decodeLatent({ runId, points: [[0, 0]] })
      expect(decoded.patterns[0]).toHaveLength(784)
    } finally {
      await restarted.close()
    }
  })

  it('recovers a letters run from a checkpoint with its per-glyph results recomputed', async () => {
    const { crashing, crashWorkspace, firstCheckpoint } = crashingLab()
    const { runId } = await crashing.handlers.startRun({
      ...defaultLetterConfig,
      kind: 'denoising',
      noise: { kind: 'bitflip', level: 0.05, copies: 2, fresh: false, seed: 3 },
      epochs: 1_000_000,
      maxWrongPixels: null
    })
    await firstCheckpoint
    await crashing.sessions.autosave()
    await crashing.close()
    const restarted = createLab({ ...options(() => undefined), workspace: crashWorkspace })
    try {
      const recovered = await restarted.handlers.recoverSession(undefined)
      const run = recovered.session.runs.find((r) => r.id === runId)!
      expect(run.message).toMatch(/recovered from a checkpoint at epoch \d+/)
      // Recomputed from the checkpoint's weights, for every glyph of the font.
      expect(run.glyphs).toHaveLength(32)
      expect(run.glyphs!.map((g) => g.char).join('')).toBe(
        (await restarted.handlers.listFonts(undefined))[1]!.glyphs.map((g) => g.char).join('')
      )
      expect(run.denoising?.freshNoise.copies).toBeGreaterThanOrEqual(2)
    } finally {
      await restarted.close()
    }
  })

  it('refuses names that are paths and tokens it never granted', async () => {
    const h = first.handlers
    await expect(h.openSession({ target: { token: '0'.repeat(32) } })).rejects.toThrow(
      /choose the file again/
    )
    await expect(h.openSession({ target: { name: 'missing' } })).rejects.toThrow(/no such file/)
    // Names that are paths never reach the service: the contract refuses them.
    const { dispatch } = await import('../src/services/lab-service')
    for (const name of ['../outside', '/etc/passwd', 'a/b', '..']) {
      const reply = await dispatch(h, 'openSession', { target: { name } })
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
  })
})
