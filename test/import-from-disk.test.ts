import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { loadImageSet, loadTrainingImages, useImportedDatasets } from '../src/ml/data/datasets'
import { kindOf } from '../src/ml/kinds/registry'
import { experimentSchema } from '../src/shared/experiments'
import {
  importedDatasetsRoot,
  loadImportedSplit,
  parseMemoryLimit,
  preparedBytes,
  setInMemoryLimit
} from '../src/ml/data/imported'
import { trainVae } from '../src/ml/train-vae'
import sharp from 'sharp'
import { importDataset } from '../src/services/import-data'
import { writePrepared } from '../src/services/import-data/store'
import { MANIFEST_FILE } from '../src/shared/imported-dataset'
import { vaeTrainConfigSchema } from '../src/shared/schemas'
import { mulberry32 } from '../src/shared/random'
import { removeScratch, scratch } from './import-files'

// A prepared set larger than the in-memory limit (1 GB by default; 1 MB here) trains by
// reading its training images from the file a batch at a time: real training on a generated
// set of 2.6 MB, whose loss falls, while the bytes read are the batches' and the memory the
// process holds in ArrayBuffers never grows by the set's size.

// Memory is measured after a full collection, so that garbage (the hash's stream chunks, the
// batches already used) does not count as held.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const held = (): number => {
  gc()
  return process.memoryUsage().arrayBuffers
}

const SIDE = 28
const PIXELS = SIDE * SIDE

/** Class k: a bright bar at row 6 + 8k (jittered by a row), on a noisy dark ground. */
function generate(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const random = mulberry32(seed)
  const images = new Uint8Array(count * PIXELS)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const label = i % 3
    labels[i] = label
    const row = 6 + 8 * label + Math.floor(random() * 3) - 1
    for (let p = 0; p < PIXELS; p++) {
      const y = Math.floor(p / SIDE)
      images[i * PIXELS + p] = Math.abs(y - row) <= 1 ? 220 : Math.floor(random() * 30)
    }
  }
  return { images, labels }
}

const workspace = scratch('lab-from-disk-')
const root = importedDatasetsRoot(workspace)

async function prepare(name: string, train: number, test: number): Promise<string> {
  const splits = { train: generate(train, 1), test: generate(test, 2) }
  const perClass = (labels: Uint8Array): number[] =>
    [0, 1, 2].map((k) => labels.filter((l) => l === k).length)
  const { manifest } = await writePrepared(
    root,
    {
      format: 1,
      name,
      size: SIDE,
      channels: 1,
      classes: ['top', 'middle', 'bottom'],
      counts: {
        train,
        test,
        trainPerClass: perClass(splits.train.labels),
        testPerClass: perClass(splits.test.labels)
      },
      source: { format: 'npz', name: 'generated', split: 'files' },
      skipped: 0,
      importedAt: new Date().toISOString()
    },
    splits
  )
  return manifest.contentHash
}

beforeAll(async () => {
  await chooseBackend({})
})
afterEach(() => setInMemoryLimit(null))
afterAll(removeScratch)

describe('training from disk', () => {
  it('reads the batches of a set over the limit from its file, and the loss falls', async () => {
    const hash = await prepare('big', 3000, 300)
    setInMemoryLimit(1 << 20)
    const before = held()
    const train = await loadTrainingImages('', 'big', { importedRoot: root, hash })
    try {
      expect('disk' in train && !('images' in train)).toBe(true)
      if (!('disk' in train)) return
      // Opening it read the labels (3,000 bytes), not the images.
      expect(held() - before).toBeLessThan(1 << 20)
      const setBytes = 3300 * PIXELS
      expect(setBytes).toBeGreaterThan(1 << 20)
      const config = vaeTrainConfigSchema.parse({
        dataset: 'big',
        hidden: [64],
        latent: 2,
        epochs: 4,
        batchSize: 50,
        learningRate: 0.003,
        trainSize: 3000
      })
      const losses: number[] = []
      // ArrayBuffers the process holds, from the first batch on (the engine's memory, e.g. the
      // wasm kernels', is allocated by then): training must not add the set's worth.
      let first: number | null = null
      let peak = 0
      const run = await trainVae(
        train,
        config,
        {
          onEpoch: (record) => losses.push(record.loss),
          onBatch: (_epoch, batch) => {
            if (batch % 10 !== 0) return
            const now = held()
            first ??= now
            peak = Math.max(peak, now - first)
          }
        },
        { threads: 1 }
      )
      expect(run.outcome.status).toBe('completed')
      expect(losses).toHaveLength(4)
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.9)
      // Every epoch read each training image once, from the file, a batch at a time.
      expect(train.disk.bytesRead()).toBe(4 * 3000 * PIXELS)
      // The set (2.6 MB; its training images 2.35 MB) was never held: far less was added.
      expect(peak).toBeLessThan(setBytes / 2)
    } finally {
      train.close()
    }
    // The in-memory way to the training images refuses, rather than loading them.
    await expect(loadImageSet('', 'big', 'train', { importedRoot: root })).rejects.toThrow(
      /larger than the lab holds in memory .*training reads them from disk/
    )
    // The test split (its images and labels) is read as usual.
    const test = await loadImageSet('', 'big', 'test', { importedRoot: root })
    expect(test.count).toBe(300)
  }, 60_000)

  it('checks a large set against its content hash and its shape before training', async () => {
    await prepare('changed', 600, 60)
    setInMemoryLimit(1024)
    await expect(
      loadTrainingImages('', 'changed', { importedRoot: root, hash: '0'.repeat(64) })
    ).rejects.toThrow(/"changed" has changed since this run was trained on it/)
    // A set within the limit is loaded whole, as before.
    setInMemoryLimit(null)
    const small = await loadTrainingImages('', 'changed', { importedRoot: root })
    expect('images' in small && small.count).toBe(600)
  })

  it('takes the limit from LAB_DATASET_MEMORY_LIMIT in bytes, K, M or G', () => {
    expect(parseMemoryLimit('2G')).toBe(2 * 1024 ** 3)
    expect(parseMemoryLimit('512m')).toBe(512 * 1024 ** 2)
    expect(parseMemoryLimit('4096')).toBe(4096)
    expect(parseMemoryLimit(undefined)).toBeNull()
    expect(() => parseMemoryLimit('lots')).toThrow(/LAB_DATASET_MEMORY_LIMIT="lots"/)
    expect(preparedBytes({ counts: { train: 10, test: 2 }, size: 28, channels: 3 } as never)).toBe(
      12 * PIXELS * 3
    )
  })
})

describe('importing a set larger than memory', () => {
  // 600 distinct 28x28 grey PNGs in 3 classes: image i of class k starts with 80k and i.
  const source = join(workspace, 'pngs')
  const PER_CLASS = 200
  const imageOf = (label: number, i: number): Buffer =>
    Buffer.from(
      Array.from({ length: PIXELS }, (_, p) =>
        p === 0 ? 80 * label : p === 1 ? i : (3 * p + i) % 256
      )
    )
  beforeAll(async () => {
    for (let label = 0; label < 3; label++) {
      mkdirSync(join(source, `c${label}`), { recursive: true })
      for (let i = 0; i < PER_CLASS; i++)
        writeFileSync(
          join(source, `c${label}`, `${i}.png`),
          await sharp(imageOf(label, i), { raw: { width: SIDE, height: SIDE, channels: 1 } })
            .png()
            .toBuffer()
        )
    }
  })

  it('decodes and writes a chunk at a time: what it holds is a chunk, the set is whole', async () => {
    const chunkImages = 64
    const report = await importDataset({
      source,
      datasetsRoot: root,
      name: 'streamed',
      chunkImages
    })
    const { train, test } = report.manifest.counts
    expect(train + test).toBe(600)
    // The set (470 KB) passed through 64-image chunks (50 KB): decoded, then written, in pieces.
    expect(report.stream.decodedChunks).toBe(Math.ceil(600 / chunkImages))
    expect(report.stream.writtenChunks).toBe(
      Math.ceil(train / chunkImages) + Math.ceil(test / chunkImages)
    )
    expect(report.stream.maxBufferedBytes).toBe(chunkImages * PIXELS)
    // The same set as when it is all one chunk, content hash included.
    const whole = await importDataset({ source, datasetsRoot: root, name: 'one-chunk' })
    expect(whole.stream.decodedChunks).toBe(1)
    expect(whole.manifest.contentHash).toBe(report.manifest.contentHash)
    // Each prepared image is one of the source's, with its own class, each one once.
    const expected = new Map<string, number>()
    for (let label = 0; label < 3; label++)
      for (let i = 0; i < PER_CLASS; i++) expected.set(imageOf(label, i).toString('hex'), label)
    setInMemoryLimit(100 * 1024)
    const seen = new Set<string>()
    for (const split of ['train', 'test'] as const) {
      const loaded = await loadImportedSplit(root, 'streamed', split)
      const images = 'disk' in loaded ? new Uint8Array(loaded.disk.count * PIXELS) : loaded.images
      if ('disk' in loaded) {
        // Over the lowered limit: the training images stay on disk.
        expect(split).toBe('train')
        loaded.disk.read(
          Array.from({ length: loaded.disk.count }, (_, k) => k),
          images
        )
        loaded.disk.close()
      }
      loaded.labels.forEach((label, k) => {
        const key = Buffer.from(images.subarray(k * PIXELS, (k + 1) * PIXELS)).toString('hex')
        expect(expected.get(key)).toBe(label)
        seen.add(key)
      })
    }
    expect(seen.size).toBe(600)
  }, 60_000)

  it('a cancelled import leaves nothing behind and keeps the set it would have replaced', async () => {
    await importDataset({ source, datasetsRoot: root, name: 'kept', chunkImages: 64 })
    const before = readFileSync(join(root, 'kept', MANIFEST_FILE), 'utf8')
    const stop = new AbortController()
    await expect(
      importDataset({
        source,
        datasetsRoot: root,
        name: 'kept',
        replace: true,
        chunkImages: 64,
        seed: 7,
        signal: stop.signal,
        // Cancelled once some chunks are on disk.
        onProgress: (p) => p.phase === 'decoding' && p.done >= 300 && stop.abort()
      })
    ).rejects.toThrow()
    expect(readFileSync(join(root, 'kept', MANIFEST_FILE), 'utf8')).toBe(before)
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([])
  }, 60_000)
})

describe('every image VAE kind trains on a set over the limit, from disk', () => {
  // 1,500 generated 28x28 grey images (1.1 MB) over a 1 MB limit: the training images stay on
  // disk, where the in-memory way to them refuses (above). One epoch of 256 of them per kind.
  const kinds: [string, Record<string, unknown>][] = [
    ['vae', { hidden: [32] }],
    ['cvae', { hidden: [32], classes: 3 }],
    ['conv-vae', { filters: [4, 8], dense: 8 }],
    ['conv-vae', { filters: [4, 8], dense: 8, conditional: true, classes: 3 }]
  ]
  it.each(kinds)(
    '%s',
    async (kind, fields) => {
      if (!existsSync(join(root, 'kinds'))) await prepare('kinds', 1400, 100)
      setInMemoryLimit(1 << 20)
      useImportedDatasets(root)
      const experiment = experimentSchema.parse({
        kind,
        dataset: 'kinds',
        latent: 2,
        epochs: 1,
        batchSize: 32,
        trainSize: 256,
        ...fields
      })
      const rows: Record<string, number>[] = []
      const run = await kindOf(experiment).train(experiment, '', {
        record: (row) => rows.push(row),
        progress: () => undefined,
        due: () => false,
        elapsed: () => 0,
        control: () => ({ checkpoint: () => 'continue' })
      })
      run.model.dispose()
      expect(run.outcome.status).toBe('completed')
      expect(rows).toHaveLength(1)
      expect(rows[0]!['loss']).toBeGreaterThan(0)
    },
    120_000
  )
})
