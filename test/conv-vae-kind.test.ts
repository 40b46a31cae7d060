import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { checkSavedConvNetwork, convShapeProblem } from '../src/ml/conv-architecture'
import { createConvVae } from '../src/ml/conv-vae'
import { loadImageSet, useImportedDatasets } from '../src/ml/data/datasets'
import { decode, encode } from '../src/ml/inference'
import { traitsOf } from '../src/ml/kinds/catalog'
import { kindNamed } from '../src/ml/kinds/registry'
import type { KindProgress, RunHooks } from '../src/ml/kinds/types'
import { trainConvVae } from '../src/ml/train-conv-vae'
import { importDataset } from '../src/services/import-data'
import { importedDatasetsRoot } from '../src/ml/data/imported'
import { newSession, readSession, writeSession } from '../src/services/session-file'
import { convVaeExperimentSchema, type ExperimentOf } from '../src/shared/experiments'
import { datasetsDir, root, scratchWorkspace } from './helpers'
import { encodeImage, removeScratch, scratch } from './import-files'
import { mkdirSync } from 'node:fs'

// The convolutional VAE kind (src/ml/kinds/conv-vae.ts): real training on a few hundred images
// (MNIST, and an imported RGB set of 16x16 images), its shapes at other sizes, a session that
// saves and reopens it, the command line, a stop between batches, and the conditional one
// ("conditional": true: the class one-hot in the encoder and the decoder). Small filters keep it quick.

const kind = kindNamed('conv-vae')
const workspace = scratchWorkspace()
const imported = importedDatasetsRoot(workspace)
const small = { filters: [4, 8], dense: 8 }
const experiment = (fields: Record<string, unknown>): ExperimentOf<'conv-vae'> =>
  convVaeExperimentSchema.parse({ kind: 'conv-vae', ...small, batchSize: 32, ...fields })

/** The driver's hooks, recording what a run reports (no pause, no stop unless asked). */
function hooks(stopAt = Infinity): {
  hooks: RunHooks<KindProgress<'conv-vae'>>
  rows: Record<string, number>[]
  progress: KindProgress<'conv-vae'>[]
  checks: () => number
} {
  const rows: Record<string, number>[] = []
  const progress: KindProgress<'conv-vae'>[] = []
  let checks = 0
  return {
    rows,
    progress,
    checks: () => checks,
    hooks: {
      record: (row) => rows.push(row),
      progress: (p) => progress.push(p),
      due: () => true,
      elapsed: () => 0,
      control: () => ({ checkpoint: () => (++checks >= stopAt ? 'stop' : 'continue') })
    }
  }
}

/** Three classes of 16x16 colour images (red, green, blue squares on grey), as PNG folders. */
async function importColours(): Promise<void> {
  const dir = scratch()
  const colours: [number, number, number][] = [
    [220, 40, 40],
    [40, 200, 60],
    [40, 60, 220]
  ]
  for (const [label, colour] of colours.entries()) {
    const folder = join(dir, `c${label}`)
    mkdirSync(folder, { recursive: true })
    const image = await encodeImage(colour, { width: 16, height: 16, channels: 3 })
    for (let i = 0; i < 40; i++) writeFileSync(join(folder, `${i}.png`), image)
  }
  await importDataset({
    source: dir,
    datasetsRoot: imported,
    name: 'colours',
    size: 16,
    channels: 3
  })
}

beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm', threads: 1 })
  useImportedDatasets(imported)
  await importColours()
}, 120_000)
afterAll(() => {
  useImportedDatasets(null)
  removeScratch()
})

describe('the convolutional VAE kind', () => {
  it("defaults to the Keras example's architecture, and its shapes follow the image size", () => {
    const e = convVaeExperimentSchema.parse({ kind: 'conv-vae', dataset: 'mnist' })
    expect([e.filters, e.dense, e.latent]).toEqual([[32, 64], 16, 2])
    const m = createConvVae({ size: 28, channels: 1, ...e }, 1)
    expect(m.encoder.layers.map((l) => l.getClassName())).toEqual([
      'Conv2D',
      'Conv2D',
      'Flatten',
      'Dense',
      'Dense'
    ])
    expect(m.encoder.layers.map((l) => l.outputShape)).toEqual([
      [null, 14, 14, 32],
      [null, 7, 7, 64],
      [null, 3136],
      [null, 16],
      [null, 4]
    ])
    expect(m.decoder.layers.map((l) => l.outputShape)).toEqual([
      [null, 3136],
      [null, 7, 7, 64],
      [null, 14, 14, 64],
      [null, 28, 28, 32],
      [null, 28, 28, 1],
      [null, 28, 28, 1]
    ])
    m.dispose()
    // 32x32 RGB: 8x8 inside, three channels out.
    const rgb = createConvVae({ size: 32, channels: 3, filters: [8, 16], dense: 8, latent: 3 }, 1)
    expect(rgb.shape.inputSize).toBe(32 * 32 * 3)
    expect(rgb.decoder.layers[1]!.outputShape).toEqual([null, 8, 8, 16])
    const codes = encode(rgb, [new Array<number>(32 * 32 * 3).fill(0.5)])
    expect(codes[0]).toHaveLength(3)
    expect(decode(rgb, codes)[0]).toHaveLength(32 * 32 * 3)
    rgb.dispose()
    expect(convShapeProblem(30, 1, 2)).toMatch(/must divide by 4; these images are 30x30/)
    expect(convShapeProblem(20, 3, 3)).toMatch(/must divide by 8/)
    expect(convShapeProblem(24, 3, 2)).toBeNull()
  })

  it('trains on a few hundred MNIST images and its loss falls', async () => {
    const h = hooks()
    const run = await kind.train(
      experiment({ dataset: 'mnist', trainSize: 256, epochs: 2 }),
      datasetsDir,
      h.hooks
    )
    expect(run.outcome).toMatchObject({ status: 'completed', epochs: 2 })
    const losses = h.rows.map((r) => r['loss']!)
    expect(losses).toHaveLength(2)
    expect(losses[1]!).toBeLessThan(losses[0]!)
    const epoch = h.progress.filter((p) => p.at === 'epoch')
    expect(epoch[0]?.at === 'epoch' && epoch[0].reconstructions[0]).toHaveLength(784)
    expect(h.progress.some((p) => p.at === 'batch' && p.batches === 8)).toBe(true)
    expect(run.result.engine).toBe('tfjs autodiff on wasm')
    run.model.dispose()
  }, 120_000)

  it('trains on an imported RGB set of 16x16 images and decodes colour images', async () => {
    const e = experiment({ dataset: 'colours', trainSize: 128, epochs: 2, batchSize: 16 })
    await traitsOf(e).check(e, datasetsDir, imported)
    const h = hooks()
    const run = await kind.train(e, datasetsDir, h.hooks)
    expect(run.outcome.status).toBe('completed')
    expect(h.rows[1]!['loss']!).toBeLessThan(h.rows[0]!['loss']!)
    const test = await loadImageSet(datasetsDir, 'colours', 'test', { anyShape: true })
    expect([test.side, test.channels]).toEqual([16, 3])
    const { points, labels } = await kind.testSet!(run.model, e, datasetsDir)
    expect(points).toHaveLength(test.count)
    expect(labels).toEqual(Array.from(test.labels))
    const [image] = decode(run.model, [[0, 0]])
    expect(image).toHaveLength(16 * 16 * 3)
    run.model.dispose()
    // The dense VAE still refuses the set, saying why.
    const dense = { ...e, kind: 'vae' as const, hidden: [8], activation: 'relu' as const }
    await expect(traitsOf(dense).check(dense, datasetsDir, imported)).rejects.toThrow(
      /the VAE trains on 28x28 grey images/
    )
  }, 120_000)

  it('saves to a session file and reopens decoding the same images; a damaged network is refused', async () => {
    const e = experiment({
      dataset: 'colours',
      trainSize: 128,
      epochs: 1,
      batchSize: 32,
      latent: 3
    })
    const run = await kind.train(e, datasetsDir, hooks().hooks)
    const networks = await kind.save(run.model)
    const record = {
      id: 'run-conv-1',
      experiment: e,
      ...run.outcome,
      seconds: 1,
      environment: { backend: 'wasm' as const, versions: { tfjs: tf.version_core } },
      history: {},
      ...run.record,
      networks
    }
    const file = join(workspace, 'conv.aelab')
    await writeSession(file, { ...newSession('conv'), runs: [record] })
    const [saved] = (await readSession(file)).runs
    const loaded = await kind.load(e, saved!.networks)
    const points = [
      [0, 0, 0],
      [1, -1, 0.5]
    ]
    expect(decode(loaded, points)).toEqual(decode(run.model, points))
    // The saved encoder is a tfjs-layers model any tfjs user opens (16x16x3 in, 2 x 3 out).
    expect(checkSavedConvNetwork(networks.encoder!, 'encoder', e)).toEqual({
      size: 16,
      channels: 3
    })
    const wrong = structuredClone(networks.decoder!)
    wrong.weightSpecs[2]!.shape = [3, 3, 9, 8]
    const network = traitsOf(e).networks(e).decoder!
    expect(() => 'check' in network && network.check(wrong, 'decoder')).toThrow(
      /the decoder's weight 3 has shape 3x3x9x8; expected 3x3x8x8/
    )
    run.model.dispose()
    loaded.dispose()
  }, 120_000)

  it('a conditional one trains on a few hundred MNIST images, decodes each class and reopens from a session', async () => {
    const e = experiment({ dataset: 'mnist', trainSize: 256, epochs: 2, conditional: true })
    const h = hooks()
    const run = await kind.train(e, datasetsDir, h.hooks)
    expect(run.outcome).toMatchObject({ status: 'completed', epochs: 2 })
    const losses = h.rows.map((r) => r['loss']!)
    expect(losses[1]!).toBeLessThan(losses[0]!)
    // The fixed test images are reconstructed through their own classes.
    const epoch = h.progress.find((p) => p.at === 'epoch')
    expect(epoch?.at === 'epoch' && epoch.reconstructions).toHaveLength(8)
    // One latent point, every class: ten images of the data set's size, not all the same.
    const point = [0.3, -0.4]
    const classes = Array.from({ length: 10 }, (_, c) => c)
    const images = decode(run.model, new Array(10).fill(point), classes)
    expect(images.map((image) => image.length)).toEqual(new Array(10).fill(784))
    expect(images[3]).not.toEqual(images[4])
    expect(() => decode(run.model, [point])).toThrow(/a conditional VAE .* for a class/)
    expect(() => decode(run.model, [point], [10])).toThrow(
      "class 10 is not one of this conditional VAE's 10 classes (0-9)"
    )
    const image = Array.from({ length: 784 }, (_, k) => (k % 7) / 7)
    expect(encode(run.model, [image], [2])[0]).toHaveLength(2)
    // Its networks, through a session file, decode the same; the unconditional kind's check
    // refuses them (the encoder's first kernel has ten more input channels).
    const networks = await kind.save(run.model)
    const file = join(workspace, 'conv-conditional.aelab')
    await writeSession(file, {
      ...newSession('conv-conditional'),
      runs: [
        {
          id: 'run-conv-c',
          experiment: e,
          ...run.outcome,
          seconds: 1,
          environment: { backend: 'wasm' as const, versions: { tfjs: tf.version_core } },
          history: {},
          ...run.record,
          networks
        }
      ]
    })
    const [saved] = (await readSession(file)).runs
    const loaded = await kind.load(e, saved!.networks)
    expect(decode(loaded, [point, point], [7, 1])).toEqual(
      decode(run.model, [point, point], [7, 1])
    )
    const plain = traitsOf({ ...e, conditional: false }).networks({ ...e, conditional: false })
    const encoder = plain.encoder!
    expect(() => 'check' in encoder && encoder.check(networks.encoder!, 'encoder')).toThrow(
      /the encoder's weights: images of 11 channels cannot be trained/
    )
    run.model.dispose()
    loaded.dispose()
  }, 120_000)

  it('a conditional one explores an imported RGB set with each test image encoded in its class', async () => {
    const e = experiment({
      dataset: 'colours',
      trainSize: 128,
      epochs: 1,
      batchSize: 16,
      conditional: true,
      classes: 3
    })
    const run = await kind.train(e, datasetsDir, hooks().hooks)
    const { points, labels } = await kind.testSet!(run.model, e, datasetsDir)
    expect(points.length).toBe(labels.length)
    expect(labels.every((label) => label >= 0 && label < 3)).toBe(true)
    expect(decode(run.model, [[0, 0]], [2])[0]).toHaveLength(16 * 16 * 3)
    run.model.dispose()
  }, 120_000)

  it('stops between two batches when asked', async () => {
    const h = hooks(3)
    const run = await trainConvVae(
      { ...(await loadImageSet(datasetsDir, 'mnist', 'test')), count: 256 },
      experiment({ dataset: 'mnist', trainSize: 256, epochs: 5 }),
      { control: h.hooks.control(), onBatch: () => undefined }
    )
    expect(run.outcome).toMatchObject({
      status: 'stopped',
      epochs: 0,
      message: 'stopped by the user during epoch 1'
    })
    expect(h.checks()).toBe(3)
    run.model.dispose()
  }, 60_000)

  it('lab train and lab eval take "kind": "conv-vae"', async () => {
    const file = join(workspace, 'conv.json')
    writeFileSync(
      file,
      JSON.stringify({ kind: 'conv-vae', dataset: 'colours', ...small, epochs: 1, batchSize: 16 })
    )
    const lab = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin/lab.mjs'), ...args], {
        timeout: 120_000
      })
    const out = join(workspace, 'conv-cli.aelab')
    await lab('train', file, '--out', out, '--workspace', workspace, '--backend', 'wasm', '--quiet')
    const [record] = (await readSession(out)).runs
    expect(record?.experiment).toMatchObject({ kind: 'conv-vae', dataset: 'colours' })
    expect(record?.experiment.kind === 'conv-vae' && record.experiment.datasetHash).toMatch(
      /^[0-9a-f]{64}$/
    )
    const { stdout } = await lab('eval', out, '--workspace', workspace)
    expect(stdout).toMatch(/on 16x16 RGB images/)
    expect(stdout).toMatch(/test loss \(negative ELBO\)\s+\d+\.\d\d/)
  }, 120_000)
})
