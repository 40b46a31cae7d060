import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { writeIdx } from '../src/ml/data/idx'
import { decodeFiles, decodeImage, pngBands } from '../src/services/import-data/decode'
import {
  importDataset,
  loadImported,
  previewGrid,
  previewImport,
  type ImportOptions
} from '../src/services/import-data'
import {
  encodeImage,
  greyImages,
  greyOf,
  labelsOf,
  npy,
  removeScratch,
  scratch,
  writeIdxPair,
  writeImageFolder,
  writeNpz
} from './import-files'

// Every format the importer reads, from real files written here: the images come out at the
// chosen size and channels, each still carrying its class (image of class k is grey level
// greyOf(k)), split as the files say or 85/15 per class.

async function importInto(source: string, options: Partial<ImportOptions> = {}) {
  const datasetsRoot = join(scratch('lab-datasets-'), 'datasets')
  const report = await importDataset({ source, datasetsRoot, name: 'mine', ...options })
  const loaded = await loadImported(datasetsRoot, 'mine')
  return { report, loaded, datasetsRoot }
}

/** Checks every image of a split is uniform at greyOf(its class's number). */
function expectLabelled(
  split: { images: Uint8Array; labels: Uint8Array },
  classes: readonly string[],
  pixels: number,
  tolerance = 0
): void {
  split.labels.forEach((label, i) => {
    const expected = greyOf(Number(classes[label]!.replace(/\D/g, '')))
    for (let k = i * pixels; k < (i + 1) * pixels; k += 97)
      expect(Math.abs(split.images[k]! - expected)).toBeLessThanOrEqual(tolerance)
  })
}

afterAll(removeScratch)

describe('importing a folder of class folders', () => {
  it('reads PNG, JPEG, WebP and GIF images, one class per folder, split 85/15 per class', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [40, 20, 60], { as: ['png', 'jpeg', 'webp', 'gif'] })
    const { report, loaded, datasetsRoot } = await importInto(dir)
    const m = report.manifest
    expect(m.classes).toEqual(['class0', 'class1', 'class2'])
    expect(m.source).toEqual({
      format: 'image-folder',
      name: dir.split('/').pop(),
      split: 'seeded'
    })
    expect(m.counts.testPerClass).toEqual([6, 3, 9])
    expect(m.counts.trainPerClass).toEqual([34, 17, 51])
    expect([m.size, m.channels, m.skipped]).toEqual([28, 1, 0])
    expect(loaded.train.labels.length).toBe(102)
    // JPEG is lossy even at quality 100: a grey level may move by one or two.
    expectLabelled(loaded.train, m.classes, 784, 2)
    expectLabelled(loaded.test, m.classes, 784, 2)
    // No hidden temporary folder is left beside the set.
    expect(readdirSync(datasetsRoot)).toEqual(['mine'])
  })

  it('keeps every pixel of lossless images (decoded in batches and one by one)', async () => {
    const dir = scratch()
    const sources = new Map<string, Uint8Array>()
    // 150 noise images, one per class so each can be found again; a few are not 28x28 (decoded
    // alone), and some carry alpha (batched apart from the grey ones).
    for (let i = 0; i < 150; i++) {
      const name = `c${String(i).padStart(3, '0')}`
      const pixels = Uint8Array.from({ length: 784 }, (_, k) => (k * 31 + i * 97 + k * k) % 256)
      sources.set(name, pixels)
      mkdirSync(join(dir, name))
      const channels = i % 5 === 0 ? 2 : 1
      const raw = Buffer.alloc(784 * channels, 255)
      pixels.forEach((v, k) => (raw[k * channels] = v))
      const image = sharp(raw, { raw: { width: 28, height: 28, channels } })
      const png = await (i % 7 === 0 ? image.resize(56, 56, { kernel: 'nearest' }) : image)
        .png()
        .toBuffer()
      writeFileSync(join(dir, name, 'x.png'), png)
    }
    const { report, loaded } = await importInto(dir)
    expect(report.skipped).toEqual([])
    loaded.train.labels.forEach((label, i) => {
      const name = report.manifest.classes[label]!
      const expected = sources.get(name)!
      const got = loaded.train.images.subarray(i * 784, (i + 1) * 784)
      // Halving a nearest-neighbour doubling (fit: cover) may average neighbours: exact only
      // for the images that needed no resizing.
      if (Number(name.slice(1)) % 7 !== 0) expect(Array.from(got)).toEqual(Array.from(expected))
    })
  })

  it('decodes plain grey and RGB PNGs (by pngjs) exactly as sharp does', async () => {
    const dir = scratch()
    const paths: string[] = []
    for (let i = 0; i < 6; i++) {
      const channels = i % 2 === 0 ? 1 : 3
      const raw = Buffer.from(
        Array.from({ length: 784 * channels }, (_, k) => (k * 31 + i * 97 + k * k) % 256)
      )
      const image = sharp(raw, { raw: { width: 28, height: 28, channels } })
      const png = await (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer()
      // Colour types 0 (grey) and 2 (RGB), nothing but the pixels.
      expect(pngBands(png)).toEqual({ width: 28, height: 28, bands: channels, plain: true })
      paths.push(join(dir, `${i}.png`))
      writeFileSync(paths.at(-1)!, png)
    }
    for (const channels of [1, 3] as const) {
      const target = { size: 28, channels }
      const got: Uint8Array[] = []
      await decodeFiles(paths, target, (index, result) => {
        if (result instanceof Error) throw result
        got[index] = result
      })
      for (const [index, path] of paths.entries())
        expect(Buffer.from(got[index]!).equals(await decodeImage(readFileSync(path), target))).toBe(
          true
        )
    }
  })

  it('takes the split from train/ and test/ folders', async () => {
    const dir = scratch()
    await writeImageFolder(join(dir, 'train'), [10, 12])
    await writeImageFolder(join(dir, 'test'), [3, 2])
    const { report, loaded } = await importInto(dir)
    expect(report.manifest.source.split).toBe('files')
    expect(report.manifest.counts).toEqual({
      train: 22,
      test: 5,
      trainPerClass: [10, 12],
      testPerClass: [3, 2]
    })
    expectLabelled(loaded.test, report.manifest.classes, 784)
  })

  it('resizes images of any size to the chosen square size (mixed sizes are fine)', async () => {
    const dir = scratch()
    await writeImageFolder(join(dir, 'a'), [5], { width: 40, height: 30 })
    await writeImageFolder(join(dir, 'b'), [5], { width: 12, height: 12 })
    const { report, loaded } = await importInto(dir, { size: 16 })
    expect(report.manifest.size).toBe(16)
    expect(loaded.train.images.length + loaded.test.images.length).toBe(10 * 256)
    expect(report.skipped).toEqual([])
  })

  it('imports as RGB: colours are kept, grey images repeat their level in each channel', async () => {
    const dir = scratch()
    mkdirSync(join(dir, 'red'))
    mkdirSync(join(dir, 'grey'))
    for (let i = 0; i < 7; i++) {
      writeFileSync(join(dir, 'red', `${i}.png`), await encodeImage([255, 0, 0], { channels: 3 }))
      writeFileSync(join(dir, 'grey', `${i}.png`), await encodeImage(90))
    }
    const { report, loaded } = await importInto(dir, { channels: 3 })
    expect(report.manifest.channels).toBe(3)
    const red = report.manifest.classes.indexOf('red')
    const all = [loaded.train, loaded.test]
    for (const split of all)
      split.labels.forEach((label, i) => {
        const first = Array.from(split.images.subarray(i * 2352, i * 2352 + 3))
        expect(first).toEqual(label === red ? [255, 0, 0] : [90, 90, 90])
      })
  })
})

describe('importing IDX files', () => {
  it('reads train and t10k files with their labels; the split is the files', async () => {
    const dir = scratch()
    writeIdxPair(dir, 'train', labelsOf(3, 10))
    writeIdxPair(dir, 't10k', labelsOf(3, 2))
    const { report, loaded } = await importInto(dir)
    expect(report.manifest.source).toMatchObject({ format: 'idx', split: 'files' })
    expect(report.manifest.classes).toEqual(['0', '1', '2'])
    expect(report.manifest.counts.trainPerClass).toEqual([10, 10, 10])
    expect(report.manifest.counts.testPerClass).toEqual([2, 2, 2])
    expectLabelled(loaded.train, report.manifest.classes, 784)
  })

  it('reads one gzipped images file with its labels, and resizes', async () => {
    const dir = scratch()
    writeIdxPair(dir, 'digits', labelsOf(2, 20), 20)
    const images = join(dir, 'digits-images-idx3-ubyte')
    writeFileSync(`${images}.gz`, gzipSync(readFileSync(images)))
    const { report, loaded } = await importInto(`${images}.gz`)
    expect(report.manifest.source.split).toBe('seeded')
    expect(report.manifest.counts.train + report.manifest.counts.test).toBe(40)
    expectLabelled(loaded.train, report.manifest.classes, 784)
  })

  it('imports images without a labels file as one class', async () => {
    const dir = scratch()
    writeFileSync(
      join(dir, 'x-images-idx3-ubyte'),
      writeIdx([20, 28, 28], greyImages(labelsOf(1, 20), 28))
    )
    const { report } = await importInto(join(dir, 'x-images-idx3-ubyte'))
    expect(report.manifest.classes).toEqual(['all'])
    expect(report.manifest.counts.test).toBe(3)
  })
})

describe('importing CSV', () => {
  it('reads "label,pixel0..pixel783" rows with a header row', async () => {
    const dir = scratch()
    const labels = labelsOf(2, 10)
    const rows = labels.map((l) => [l, ...Array<number>(784).fill(greyOf(l))].join(','))
    const header = ['label', ...Array.from({ length: 784 }, (_, k) => `pixel${k}`)].join(',')
    writeFileSync(join(dir, 'train.csv'), [header, ...rows].join('\n'))
    const { report, loaded } = await importInto(join(dir, 'train.csv'))
    expect(report.manifest.source.format).toBe('csv')
    expect(report.manifest.counts.train + report.manifest.counts.test).toBe(20)
    expectLabelled(loaded.train, report.manifest.classes, 784)
  })

  it('reads RGB rows (3 x side² values), text labels, and train/test files in a folder', async () => {
    const dir = scratch()
    const row = (label: string, v: number): string =>
      [label, ...Array<number>(3 * 64).fill(v)].join(',')
    writeFileSync(
      join(dir, 'shapes_train.csv'),
      [row('cat', 10), row('dog', 200), row('cat', 10)].join('\n')
    )
    writeFileSync(join(dir, 'shapes_test.csv'), [row('dog', 200), row('cat', 10)].join('\n'))
    const { report, loaded } = await importInto(dir, { size: 8, channels: 3 })
    expect(report.manifest.classes).toEqual(['cat', 'dog'])
    expect(report.manifest.counts).toMatchObject({ train: 3, test: 2, trainPerClass: [2, 1] })
    loaded.test.labels.forEach((label, i) =>
      expect(loaded.test.images[i * 192]).toBe(label === 0 ? 10 : 200)
    )
  })
})

describe('importing NumPy files', () => {
  it('reads a .npy of uint8 images (N x H x W) as one class', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'x.npy'), npy(greyImages(labelsOf(1, 20), 28), [20, 28, 28]))
    const { report } = await importInto(join(dir, 'x.npy'))
    expect(report.manifest).toMatchObject({ classes: ['all'], counts: { train: 17, test: 3 } })
  })

  it('reads a .npy of float32 images in 0-1 (N x H x W x 3) scaled to 0-255', async () => {
    const dir = scratch()
    const floats = Float32Array.from(greyImages(labelsOf(1, 10), 14, 3), (v) => v / 255)
    writeFileSync(join(dir, 'x.npy'), npy(floats, [10, 14, 14, 3]))
    const { loaded } = await importInto(join(dir, 'x.npy'), { size: 14, channels: 3 })
    expect(loaded.train.images[0]).toBe(greyOf(0))
  })

  it('reads a Keras-style .npz (x_train, y_train, x_test, y_test); the split is the files', async () => {
    const dir = scratch()
    const train = labelsOf(4, 5)
    const test = labelsOf(4, 2)
    writeNpz(join(dir, 'data.npz'), {
      x_train: npy(greyImages(train, 28), [train.length, 28, 28]),
      y_train: npy(Int32Array.from(train), [train.length]),
      x_test: npy(greyImages(test, 28), [test.length, 28, 28]),
      y_test: npy(BigInt64Array.from(test, BigInt), [test.length])
    })
    const { report, loaded } = await importInto(join(dir, 'data.npz'))
    expect(report.manifest.source).toMatchObject({ format: 'npz', split: 'files' })
    expect(report.manifest.counts).toMatchObject({ train: 20, test: 8 })
    expectLabelled(loaded.test, report.manifest.classes, 784)
  })
})

describe('a preview before importing', () => {
  it('counts each class and decodes its first images as the import would, writing nothing', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [3, 12, 9])
    writeFileSync(join(dir, 'class1', '0.png'), 'broken')
    const preview = await previewImport({ source: dir, size: 14 })
    expect(preview.classes.map((c) => [c.name, c.count, c.images.length])).toEqual([
      ['class0', 3, 3],
      ['class1', 12, 8],
      ['class2', 9, 8]
    ])
    expect(preview.skipped).toEqual([
      { entry: 'class1/0.png', reason: expect.stringMatching(/^cannot be decoded/) }
    ])
    expect(preview.classes[2]!.images[0]![0]).toBe(greyOf(2))
    // The grid: 8 images of 14x14 across, a row per class, class 0's missing ones black.
    const grid = sharp(await previewGrid(preview))
    expect(await grid.metadata()).toMatchObject({ width: 112, height: 42 })
    const { data } = await grid.greyscale().raw().toBuffer({ resolveWithObject: true })
    expect([data[0], data[14 * 3 + 1], data[112 * 14 + 1], data[112 * 28 + 100]]).toEqual([
      greyOf(0),
      0,
      greyOf(1),
      greyOf(2)
    ])
  })
})

describe('the prepared set', () => {
  it('is the same, hash included, when the same files are imported again', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [9, 9])
    const first = await importInto(dir)
    const second = await importInto(dir)
    expect(second.report.manifest.contentHash).toBe(first.report.manifest.contentHash)
    expect(existsSync(join(first.datasetsRoot, 'mine', 'dataset.json'))).toBe(true)
  })
})
