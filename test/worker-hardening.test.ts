import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLab, type Lab } from '../src/services/lab'
import { readSession } from '../src/services/session-file'
import { TrainingService } from '../src/services/training'
import type { EventName, EventPayload } from '../src/shared/contract'
import { defaultLetterConfig, sessionViewSchema } from '../src/shared/schemas'
import { type Experiment } from '../src/shared/experiments'
import {
  builtWorker,
  datasetsDir,
  letters,
  recoveryRunIds,
  root,
  scratchWorkspace
} from './helpers'
import { firstNetwork, parse, variant, withExtraBytes } from './damaged-sessions'

// The training worker while it trains, holds many runs, or is paused (issue 13, items 7-9, 11):
// requests are answered during training, no run's weights are dropped, a refused file changes
// nothing, and no request waits forever.

const view = sessionViewSchema.parse({})
const long = { ...defaultLetterConfig, epochs: 1_000_000, maxWrongPixels: null }
const short = { ...defaultLetterConfig, epochs: 5, maxWrongPixels: null }

/** A lab over a fresh workspace, with every event it emits recorded. */
function recordingLab(options: { checkpointSeconds?: number } = {}): {
  lab: Lab
  workspace: string
  done: (runId: string) => Promise<EventPayload<'runDone'>>
  checkpoints: () => number
} {
  const workspace = scratchWorkspace()
  const finished = new Map<string, EventPayload<'runDone'>>()
  const waiting = new Map<string, (p: EventPayload<'runDone'>) => void>()
  const lab = createLab({
    host: 'browser',
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm',
    checkpointSeconds: options.checkpointSeconds,
    emit: <K extends EventName>(name: K, payload: EventPayload<K>) => {
      if (name !== 'runDone') return
      const p = payload as EventPayload<'runDone'>
      finished.set(p.runId, p)
      waiting.get(p.runId)?.(p)
    }
  })
  let count = 0
  const original = lab.sessions.checkpoint.bind(lab.sessions)
  lab.sessions.checkpoint = (id, networks, record) => {
    count++
    original(id, networks, record)
  }
  return {
    lab,
    workspace,
    done: (runId) =>
      finished.has(runId)
        ? Promise.resolve(finished.get(runId)!)
        : new Promise((resolve) => waiting.set(runId, resolve)),
    checkpoints: () => count
  }
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('requests while a run trains (item 7)', () => {
  const { lab, done, checkpoints, workspace } = recordingLab({ checkpointSeconds: 0.2 })
  afterAll(() => lab.close())

  it('answers decode and save for a finished run, and checkpoints the running one', async () => {
    const h = lab.handlers
    const finished = await h.startRun(letters(short))
    await done(finished.runId)
    const running = await h.startRun(letters(long))
    // Answered while the long run is still training.
    const decoded = await h.decodeLatent({ runId: finished.runId, points: [[0, 0]] })
    expect(decoded.patterns[0]).toHaveLength(35)
    expect(lab.training.running).toBe(running.runId)
    const saved = await h.saveSession({
      target: { name: 'during training' },
      runIds: [finished.runId],
      view,
      customGlyphs: []
    })
    expect(saved.name).toBe('during training')
    expect(lab.training.running).toBe(running.runId)
    // Three checkpoints of the running run, each autosaved beside the finished run.
    await until(() => checkpoints() >= 3)
    await lab.sessions.autosave()
    expect(lab.training.running).toBe(running.runId)
    // Only the running run: the finished one is saved.
    expect(recoveryRunIds(workspace)).toEqual([running.runId])
    await h.stopRun({ runId: running.runId })
    expect((await done(running.runId)).status).toBe('stopped')
  })
})

describe('many runs (item 8)', () => {
  const { lab, done, workspace } = recordingLab()
  afterAll(() => lab.close())

  it('saves 14 runs with every run weights', async () => {
    const ids: string[] = []
    for (let i = 0; i < 14; i++) {
      const { runId } = await lab.handlers.startRun(letters({ ...short, seed: i + 1 }))
      await done(runId)
      ids.push(runId)
    }
    await lab.handlers.saveSession({
      target: { name: 'fourteen' },
      runIds: ids,
      view,
      customGlyphs: []
    })
    const session = await readSession(join(workspace, 'fourteen.aelab'))
    expect(session.runs.map((r) => r.id)).toEqual(ids)
    const decoded = await lab.handlers.decodeLatent({ runId: ids[0]!, points: [[0, 0]] })
    expect(decoded.patterns).toHaveLength(1)
  })
})

describe('pause (item 11)', () => {
  const { lab, done } = recordingLab()
  afterAll(() => lab.close())

  it('a paused run does not hold up saving and opening', async () => {
    const h = lab.handlers
    const finished = await h.startRun(letters(short))
    await done(finished.runId)
    const running = await h.startRun(letters(long))
    await h.pauseRun({ runId: running.runId })
    await h.saveSession({
      target: { name: 'paused' },
      runIds: [finished.runId],
      view,
      customGlyphs: []
    })
    const opened = await h.openSession({ target: { name: 'paused' } })
    expect(opened.session.runs.map((r) => r.id)).toEqual([finished.runId])
    expect(lab.training.running).toBe(running.runId)
    await h.stopRun({ runId: running.runId })
    expect((await done(running.runId)).status).toBe('stopped')
  })
})

describe('requests that cannot be answered (item 11)', () => {
  it('time out with a clear error when the worker never answers', async () => {
    const training = new TrainingService({
      workerPath: join(root, 'test/fixtures/silent-worker.mjs'),
      emit: () => undefined,
      requestTimeoutMs: 300
    })
    try {
      await expect(training.exportModel('run-abc')).rejects.toThrow(
        /the training worker did not answer \(export of run run-abc\) within 0\.3 s/
      )
    } finally {
      await training.close()
    }
  })

  it('get an error, not silence, for a message the worker refuses', async () => {
    const training = new TrainingService({ workerPath: builtWorker, emit: () => undefined })
    try {
      await expect(
        training.importModels([
          { id: 'x', experiment: { kind: 'vae' } as unknown as Experiment, networks: {} }
        ])
      ).rejects.toThrow(/refused/)
    } finally {
      await training.close()
    }
  })
})

describe('a refused file changes nothing (item 9)', () => {
  const { lab, done, workspace } = recordingLab()
  afterAll(() => lab.close())
  let good = ''
  beforeAll(() => {
    good = readFileSync(join(root, 'test/fixtures/saved-by-main.aelab'), 'utf8')
  })

  it('keeps the weights of an unsaved run whose id the refused file reuses', async () => {
    const h = lab.handlers
    const { runId } = await h.startRun(letters({ ...short, font: 'Font1', hidden: [16] }))
    await done(runId)
    const points = [
      [0.5, -0.5],
      [2, 1]
    ]
    const before = await h.decodeLatent({ runId, points })
    // The file's first run takes the unsaved run's id (its weights load); its second is broken.
    const hostile = variant(parse(good), (d) => {
      d.runs[0]!['id'] = runId
      const decoder = (d.runs[1]!['networks'] as Record<string, Record<string, unknown>>)[
        'decoder'
      ]!
      decoder['weightData'] = withExtraBytes(String(decoder['weightData']))
    })
    await expect(h.importSession({ fileName: 'hostile.aelab', text: hostile })).rejects.toThrow(
      /hostile\.aelab/
    )
    // Broken only where the worker finds it: non-finite weights in the second run.
    const nonFinite = variant(parse(good), (d) => {
      d.runs[0]!['id'] = runId
      const network = firstNetwork(d, 1)
      const bytes = Buffer.from(String(network['weightData']), 'base64')
      bytes.writeFloatLE(Number.NaN, 0)
      network['weightData'] = bytes.toString('base64')
    })
    await expect(h.importSession({ fileName: 'nan.aelab', text: nonFinite })).rejects.toThrow(
      /nan\.aelab: .*non-finite/
    )
    expect(await h.decodeLatent({ runId, points })).toEqual(before)
    await h.saveSession({ target: { name: 'mine' }, runIds: [runId], view, customGlyphs: [] })
    const saved = await readSession(join(workspace, 'mine.aelab'))
    const foreign = parse(good).runs[0]!['networks'] as Record<string, { weightData: string }>
    expect(saved.runs[0]!.networks['autoencoder']!.weightData).not.toBe(
      foreign['autoencoder']!.weightData
    )
    expect(saved.runs[0]!.experiment).toMatchObject({ kind: 'autoencoder', font: 'Font1' })
  })
})
