import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createLab } from '../src/services/lab'
import { readSession } from '../src/services/session-file'
import type { EventName, EventPayload } from '../src/shared/contract'
import { experimentSchema, type Experiment } from '../src/shared/experiments'
import { sessionViewSchema } from '../src/shared/schemas'
import type { RunRecord } from '../src/shared/session'
import { builtWorker, datasetsDir, root, scratchWorkspace } from './helpers'

// One run driver (src/worker/run-job.ts) for the app's worker and the command line: the same
// experiment and seed give the same session record, whichever trained it. Real training on
// small data, in the app's worker (through a lab's handlers, saved to a real file) and by the
// real `lab train` command. Both on wasm with one thread, where the VAE's engine is the
// kernels on one thread (no timed choice between engines: ml/vae-engine.ts).

const workspace = scratchWorkspace()
const runDone = new Map<string, () => void>()
const finished = new Set<string>()
const lab = createLab({
  host: 'browser',
  datasetsDir,
  workerPath: builtWorker,
  workspace,
  preferredBackend: 'wasm',
  threads: 1,
  emit: <K extends EventName>(name: K, payload: EventPayload<K>) => {
    if (name !== 'runDone' && name !== 'runFailed') return
    const { runId } = payload as EventPayload<'runDone'>
    finished.add(runId)
    runDone.get(runId)?.()
  }
})
afterAll(() => lab.close())

async function inTheApp(experiment: Experiment, name: string): Promise<RunRecord> {
  const { runId } = await lab.handlers.startRun(experiment)
  if (!finished.has(runId)) await new Promise<void>((resolve) => runDone.set(runId, resolve))
  await lab.handlers.saveSession({
    target: { name },
    runIds: [runId],
    view: sessionViewSchema.parse({}),
    customGlyphs: []
  })
  const [record] = (await readSession(join(workspace, `${name}.aelab`))).runs
  return record!
}

async function byTheCommandLine(experiment: unknown, name: string): Promise<RunRecord> {
  const file = join(workspace, `${name}.json`)
  const out = join(workspace, `${name}-cli.aelab`)
  writeFileSync(file, JSON.stringify(experiment))
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'bin/lab.mjs'),
      'train',
      file,
      '--out',
      out,
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--quiet'
    ],
    { timeout: 300_000 }
  )
  const [record] = (await readSession(out)).runs
  return record!
}

/**
 * A record without what differs between two trainings of the same run by nature: its id, how
 * long it took (`seconds`, the `samplesPerSecond` column) and the host's versions (Electron's or
 * the command line's Node).
 */
function comparable(record: RunRecord): unknown {
  const { id: _id, seconds: _seconds, environment, history, ...rest } = record
  const { samplesPerSecond: _speed, ...columns } = history
  return { ...rest, backend: environment.backend, tfjs: environment.versions['tfjs'], columns }
}

describe('the app and the command line train the same record', () => {
  it('for a letters autoencoder', async () => {
    const experiment = {
      kind: 'autoencoder',
      font: 'Font1',
      hidden: [16],
      latent: 2,
      activation: 'tanh',
      learningRate: 0.02,
      epochs: 60,
      maxWrongPixels: null,
      seed: 7
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'letters')
    const cli = await byTheCommandLine(experiment, 'letters')
    expect(app.epochs).toBe(60)
    // Per-epoch loss, learning rate and wrong pixels of every glyph, in both.
    expect(Object.keys(app.history)).toEqual(
      expect.arrayContaining(['epoch', 'loss', 'learningRate', 'maxWrongPixels', 'wrongPixels.31'])
    )
    expect(app.glyphs).toHaveLength(32)
    // Its codes' metrics, measured as it ended: the glyphs have no classes, so active units only.
    expect(app.metrics).toMatchObject({ codes: 32, knn: null, perClass: null, elbo: null })
    expect(app.metrics?.activeUnits.variances).toHaveLength(2)
    expect(comparable(cli)).toEqual(comparable(app))
  })

  it('for a denoising autoencoder', async () => {
    const experiment = {
      kind: 'denoising',
      font: 'Font3',
      hidden: [24],
      latent: 3,
      activation: 'relu',
      optimizer: { kind: 'sgd', momentum: 0.9 },
      learningRate: 0.1,
      epochs: 40,
      maxWrongPixels: null,
      seed: 5,
      noise: { kind: 'salt-pepper', level: 0.1, copies: 3, fresh: true, seed: 4 }
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'denoising')
    const cli = await byTheCommandLine(experiment, 'denoising')
    expect(app.denoising?.freshNoise.copies).toBeGreaterThanOrEqual(3)
    expect(comparable(cli)).toEqual(comparable(app))
  })

  it('for a linear autoencoder', async () => {
    const experiment = {
      kind: 'linear',
      font: 'Font2',
      hidden: [12],
      latent: 2,
      learningRate: 0.02,
      epochs: 50,
      maxWrongPixels: null,
      seed: 9
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'linear')
    const cli = await byTheCommandLine(experiment, 'linear')
    expect(app.experiment).toMatchObject({ kind: 'linear', activation: 'linear' })
    expect(comparable(cli)).toEqual(comparable(app))
  })

  it('for a VAE, with the same history, reconstructions kept and weights', async () => {
    const experiment = {
      kind: 'vae',
      dataset: 'mnist',
      trainSize: 256,
      hidden: [16],
      epochs: 2,
      batchSize: 64,
      seed: 3
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'vae')
    const cli = await byTheCommandLine(experiment, 'vae')
    expect(Object.keys(app.history).sort()).toEqual(
      ['epoch', 'kl', 'learningRate', 'loss', 'reconstruction', 'samplesPerSecond'].sort()
    )
    expect(app.epochImages?.map((e) => e.epoch)).toEqual([1, 2])
    // Its test metrics, measured as it ended on the first 2,000 test images: kNN accuracy of
    // the codes, each digit's reconstruction error, and the negative ELBO as its two parts.
    const metrics = app.metrics!
    expect(metrics.codes).toBe(2000)
    expect(metrics.knn).toMatchObject({ k: 5, codes: 2000 })
    expect(metrics.knn!.accuracy).toBeGreaterThan(0.1)
    expect(metrics.perClass?.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(metrics.perClass?.reduce((n, c) => n + c.count, 0)).toBe(2000)
    const elbo = metrics.elbo!
    expect(elbo.negativeElbo).toBeCloseTo(elbo.reconstruction + elbo.kl, 3)
    expect(elbo.kl).toBeGreaterThan(0)
    expect(comparable(cli)).toEqual(comparable(app))
  })

  it('for a conditional VAE, with its classes filled in', async () => {
    const experiment = {
      kind: 'cvae',
      dataset: 'mnist',
      trainSize: 256,
      hidden: [16],
      epochs: 2,
      batchSize: 64,
      seed: 3
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'cvae')
    const cli = await byTheCommandLine(experiment, 'cvae')
    expect(app.experiment).toMatchObject({ kind: 'cvae', classes: 10 })
    expect(app.epochImages?.map((e) => e.epoch)).toEqual([1, 2])
    expect(comparable(cli)).toEqual(comparable(app))
  })

  it('for a conditional convolutional VAE, with its classes filled in, reopened to decode each class', async () => {
    const experiment = {
      kind: 'conv-vae',
      conditional: true,
      dataset: 'mnist',
      trainSize: 256,
      filters: [4, 8],
      dense: 8,
      epochs: 1,
      batchSize: 64,
      seed: 3
    }
    const app = await inTheApp(experimentSchema.parse(experiment), 'conv-conditional')
    const cli = await byTheCommandLine(experiment, 'conv-conditional')
    expect(app.experiment).toMatchObject({ kind: 'conv-vae', conditional: true, classes: 10 })
    expect(app.epochImages?.map((e) => e.epoch)).toEqual([1])
    expect(comparable(cli)).toEqual(comparable(app))
    // The saved session reopens in the lab, whose worker decodes a latent point for each class.
    const opened = await lab.handlers.openSession({ target: { name: 'conv-conditional' } })
    const runId = opened.session.runs[0]!.id
    const { patterns } = await lab.handlers.decodeLatent({
      runId,
      points: new Array(10).fill([0.5, -0.5]),
      labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    })
    expect(patterns.map((p) => p.length)).toEqual(new Array(10).fill(784))
    expect(patterns[3]).not.toEqual(patterns[4])
  })
})
