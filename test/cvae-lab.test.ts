import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createLab } from '../src/services/lab'
import { dispatch } from '../src/services/lab-service'
import { sessionViewSchema } from '../src/shared/schemas'
import { builtWorker, datasetsDir, root, scratchWorkspace } from './helpers'

// A conditional VAE through the command line and the lab: `lab train` and `lab eval` with
// "kind": "cvae", its session opened in a lab whose worker decodes each class from the saved
// weights, saved again and reopened in a second lab; requests naming a class the run does not
// have (the class grid's, the probe's) get a clear error.

const workspace = scratchWorkspace()
const labs = [1, 2].map(() =>
  createLab({
    host: 'browser',
    datasetsDir,
    workerPath: builtWorker,
    workspace,
    preferredBackend: 'wasm',
    threads: 1,
    emit: () => undefined
  })
)
afterAll(() => Promise.all(labs.map((lab) => lab.close())))

async function lab(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [join(root, 'bin/lab.mjs'), ...args], {
    cwd: workspace,
    timeout: 120_000
  })
}

describe('a conditional VAE in the command line and the lab', () => {
  it('trains, evaluates, opens, decodes each class, refuses bad classes and round-trips', async () => {
    const file = join(workspace, 'cvae.json')
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'cvae',
        dataset: 'mnist',
        trainSize: 512,
        hidden: [32],
        epochs: 2,
        batchSize: 64,
        seed: 2
      })
    )
    const out = join(workspace, 'trained.aelab')
    await lab('train', file, '--out', out, '--backend', 'wasm', '--threads', '1', '--quiet')
    const evaluated = await lab('eval', out)
    expect(evaluated.stdout).toMatch(/\(cvae, mnist, 10 classes, completed, 2 epochs\)/)
    expect(evaluated.stdout).toMatch(/test loss \(negative ELBO\)\s+\d+\.\d+/)

    const [first, second] = labs.map((l) => l.handlers)
    const opened = await first!.openSession({ target: { name: 'trained' } })
    const run = opened.session.runs[0]!
    expect(run.experiment).toMatchObject({ kind: 'cvae', classes: 10 })
    const runId = run.id
    const point = [0.5, -0.5]
    // The class grid: one latent point, every class.
    const grid = await dispatch(first!, 'decodeLatent', {
      runId,
      points: new Array(10).fill(point),
      labels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    })
    if (!grid.ok) throw new Error(grid.error.message)
    const patterns = (grid.result as { patterns: number[][] }).patterns
    expect(patterns).toHaveLength(10)
    expect(patterns[3]).not.toEqual(patterns[4])
    // The scatter: the test set encoded with its own classes.
    const testSet = await first!.vaeTestSet({ runId })
    expect(testSet.points).toHaveLength(10_000)

    const refused = async (input: unknown): Promise<string> => {
      const reply = await dispatch(first!, 'decodeLatent', input)
      if (reply.ok) throw new Error('a bad class was accepted')
      return reply.error.message
    }
    expect(await refused({ runId, points: [point], labels: [10] })).toBe(
      "class 10 is not one of this conditional VAE's 10 classes (0-9)"
    )
    expect(await refused({ runId, points: [point], labels: [-1] })).toMatch(
      /invalid decodeLatent input: .*labels.*a class is 0 or more/
    )
    expect(await refused({ runId, points: [point], labels: [1.5] })).toMatch(
      /labels.*a class is a whole number/
    )
    expect(await refused({ runId, points: [point, point, point], labels: [1, 2] })).toMatch(
      /give one class per latent point, or one for all/
    )
    expect(await refused({ runId, points: [point] })).toMatch(
      /a conditional VAE encodes and decodes for a class/
    )

    await first!.saveSession({
      target: { name: 'again' },
      runIds: [runId],
      view: sessionViewSchema.parse({}),
      customGlyphs: []
    })
    const reopened = await second!.openSession({ target: { name: 'again' } })
    expect(reopened.session.runs[0]!.experiment).toEqual(run.experiment)
    const decoded = await second!.decodeLatent({ runId, points: [point, point], labels: [3, 4] })
    expect(decoded.patterns).toEqual([patterns[3], patterns[4]])
  }, 180_000)
})
