import { execFile } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importDataset, importedDatasetsRoot } from '../src/services/import-data'
import { readSession } from '../src/services/session-file'
import { createLab, type Lab } from '../src/services/lab'
import type { EventName } from '../src/shared/contract'
import { sessionViewSchema, vaeTrainConfigSchema } from '../src/shared/schemas'
import { builtWorker, datasetsDir, root } from './helpers'
import { removeScratch, scratch, writeImageFolder } from './import-files'

// An imported data set is trainable like MNIST: a VAE trains on it for real, from the command
// line (`lab train` with "dataset": "<name>") and in the lab's training worker; the run records
// the set's name and content hash, and a session whose set was removed or imported again says
// so when it is opened.

const lab = join(root, 'bin/lab.mjs')
const workspace = scratch('lab-workspace-')
const imported = importedDatasetsRoot(workspace)

async function importShapes(counts: number[], options: { size?: number; replace?: boolean } = {}) {
  const dir = scratch()
  await writeImageFolder(dir, counts, { names: ['dark', 'mid', 'light'] })
  return importDataset({ source: dir, datasetsRoot: imported, name: 'shapes', ...options })
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [lab, ...args], {
      timeout: 240_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let hash = ''
beforeAll(async () => {
  hash = (await importShapes([60, 60, 60])).manifest.contentHash
}, 120_000)
afterAll(removeScratch)

describe('a VAE on an imported data set', () => {
  const session = join(workspace, 'shapes-vae.aelab')

  it('trains from the command line, and the session records the set by name and content hash', async () => {
    const experiment = join(scratch(), 'shapes.json')
    writeFileSync(
      experiment,
      JSON.stringify({ kind: 'vae', dataset: 'shapes', epochs: 1, hidden: [32], batchSize: 32 })
    )
    const result = await cli('train', experiment, '--workspace', workspace, '--out', session)
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.code).toBe(0)
    const [record] = (await readSession(session)).runs
    expect(record?.status).toBe('completed')
    expect(record?.epochs).toBe(1)
    expect(record?.experiment).toMatchObject({ kind: 'vae', dataset: 'shapes', datasetHash: hash })
    expect(Number.isFinite(record?.finalLoss)).toBe(true)
  }, 300_000)

  it('says which data set is missing before training from the command line', async () => {
    const experiment = join(scratch(), 'none.json')
    writeFileSync(experiment, JSON.stringify({ kind: 'vae', dataset: 'nothing-here', epochs: 1 }))
    const result = await cli('train', experiment, '--workspace', workspace)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('the data set "nothing-here" is not in this workspace')
  }, 120_000)

  describe('in the lab', () => {
    let app: Lab
    const events: { name: EventName; payload: unknown }[] = []
    const waiting: (() => void)[] = []
    const ended = async (runId: string): Promise<{ name: EventName; payload: unknown }> => {
      for (;;) {
        const end = events.find(
          (e) =>
            (e.name === 'runDone' || e.name === 'runFailed') &&
            (e.payload as { runId: string }).runId === runId
        )
        if (end) return end
        await new Promise<void>((resolve) => waiting.push(resolve))
      }
    }
    beforeAll(() => {
      app = createLab({
        host: 'browser',
        datasetsDir,
        workerPath: builtWorker,
        workspace,
        emit: (name, payload) => {
          events.push({ name, payload })
          waiting.splice(0).forEach((w) => w())
        }
      })
    })
    afterAll(() => app.close())

    it('lists the imported set beside MNIST and Fashion-MNIST, with its classes', async () => {
      const sets = await app.handlers.listDatasets(undefined)
      expect(sets.map((s) => s.id)).toEqual(['mnist', 'fashion-mnist', 'shapes'])
      expect(sets[2]).toMatchObject({
        origin: 'imported',
        contentHash: hash,
        available: true,
        classNames: ['dark', 'light', 'mid'],
        message: 'ready'
      })
      expect(sets[2]!.train + sets[2]!.test).toBe(180)
    })

    it('lists a set of another size with why the dense VAE cannot train on it, and refuses to start one', async () => {
      const dir = scratch()
      await writeImageFolder(dir, [10, 10], { width: 16, height: 16 })
      await importDataset({ source: dir, datasetsRoot: imported, name: 'small', size: 16 })
      const small = (await app.handlers.listDatasets(undefined)).find((s) => s.id === 'small')
      const why =
        'the VAE trains on 28x28 grey images, and "small" has 16x16 grey ones: import it again with --size 28 --channels 1'
      // Readable (a convolutional VAE takes it), with the dense VAE's reason in its message.
      expect(small).toMatchObject({ origin: 'imported', available: true, message: why, size: 16 })
      const experiment = {
        ...vaeTrainConfigSchema.parse({ dataset: 'small', epochs: 1 }),
        kind: 'vae' as const
      }
      await expect(app.handlers.startRun(experiment)).rejects.toThrow(why)
      rmSync(join(imported, 'small'), { recursive: true })
    })

    it("trains in the worker and explores its test set with the set's own labels", async () => {
      const experiment = {
        ...vaeTrainConfigSchema.parse({
          dataset: 'shapes',
          epochs: 1,
          hidden: [32],
          batchSize: 32
        }),
        kind: 'vae' as const
      }
      const { runId } = await app.handlers.startRun(experiment)
      const end = await ended(runId)
      expect(end.name).toBe('runDone')
      expect(end.payload).toMatchObject({ runId, kind: 'vae', status: 'completed', epochs: 1 })
      const { points, labels } = await app.handlers.vaeTestSet({ runId })
      const sets = await app.handlers.listDatasets(undefined)
      expect(points).toHaveLength(sets[2]!.test)
      expect(new Set(labels)).toEqual(new Set([0, 1, 2]))
      const images = await app.handlers.datasetImages({
        dataset: 'shapes',
        split: 'test',
        indices: [0]
      })
      expect(images.images[0]).toHaveLength(784)
      // The lab pinned the run to the version of the set it trained on.
      await app.handlers.saveSession({
        target: { name: 'lab-run' },
        runIds: [runId],
        view: sessionViewSchema.parse({ lab: 'vae', selectedRunId: runId }),
        customGlyphs: [],
        characterSets: []
      })
      const [record] = (await readSession(join(workspace, 'lab-run.aelab'))).runs
      expect(record?.experiment).toMatchObject({ dataset: 'shapes', datasetHash: hash })
    }, 300_000)

    it('opens a session whose set is there as it was, and says when it changed or is missing', async () => {
      const opened = await app.handlers.openSession({ target: { name: 'shapes-vae' } })
      expect(opened.notices).toEqual([])

      // Imported again with other images: same name, another content hash.
      await importShapes([50, 50, 50], { replace: true })
      const changed = await app.handlers.openSession({ target: { name: 'shapes-vae' } })
      expect(changed.session.runs).toHaveLength(1)
      expect(changed.notices).toHaveLength(1)
      expect(changed.notices[0]).toContain(
        'the data set "shapes" has changed since this run was trained on it'
      )
      // Its test set cannot be explored: the same message, not a wrong scatter.
      const runId = changed.session.runs[0]!.id
      await expect(app.handlers.vaeTestSet({ runId })).rejects.toThrow(/has changed since/)

      rmSync(join(imported, 'shapes'), { recursive: true })
      const missing = await app.handlers.openSession({ target: { name: 'shapes-vae' } })
      expect(missing.notices).toHaveLength(1)
      expect(missing.notices[0]).toContain('the data set "shapes" is not in this workspace')
    }, 300_000)
  })
})
