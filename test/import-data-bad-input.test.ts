import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  importDataset,
  listImported,
  loadImported,
  readManifest,
  type ImportOptions
} from '../src/services/import-data'
import {
  encodeImage,
  greyImages,
  labelsOf,
  npy,
  removeScratch,
  scratch,
  writeIdxPair,
  writeImageFolder,
  writeNpz
} from './import-files'

// Bad input: every message names the file and the row or entry; one bad image among many is
// skipped and reported, not fatal; a failed or cancelled import leaves nothing behind.

function options(source: string, extra: Partial<ImportOptions> = {}): ImportOptions {
  return {
    source,
    datasetsRoot: join(scratch('lab-datasets-'), 'datasets'),
    name: 'mine',
    ...extra
  }
}

afterAll(removeScratch)

describe('bad images in a folder', () => {
  it('skips a corrupt image, names it in the report, and imports the rest', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [30, 30])
    writeFileSync(join(dir, 'class1', 'broken.png'), (await encodeImage(7)).subarray(0, 50))
    writeFileSync(join(dir, 'class0', 'notes.txt'), 'not an image')
    const report = await importDataset(options(dir))
    expect(report.manifest.counts.train + report.manifest.counts.test).toBe(60)
    expect(report.manifest.skipped).toBe(2)
    expect(report.skipped).toContainEqual({
      entry: 'class1/broken.png',
      reason: expect.stringMatching(/^cannot be decoded \(.+\)$/)
    })
    expect(report.skipped).toContainEqual({
      entry: 'class0/notes.txt',
      reason: 'not a PNG, JPEG, WebP or GIF file'
    })
  })

  it('fails, naming the files, when no image can be decoded', async () => {
    const dir = scratch()
    mkdirSync(join(dir, 'a'))
    writeFileSync(join(dir, 'a', '1.png'), 'garbage')
    const run = options(dir)
    await expect(importDataset(run)).rejects.toThrow(/no images could be imported .*a\/1\.png/)
    expect(existsSync(run.datasetsRoot) ? readdirSync(run.datasetsRoot) : []).toEqual([])
  })

  it('imports grey, RGB and RGBA images together, converted to the chosen channels', async () => {
    const dir = scratch()
    mkdirSync(join(dir, 'mixed'))
    writeFileSync(join(dir, 'mixed', 'grey.png'), await encodeImage(100))
    writeFileSync(
      join(dir, 'mixed', 'rgb.png'),
      await encodeImage([100, 100, 100], { channels: 3 })
    )
    writeFileSync(
      join(dir, 'mixed', 'rgba.png'),
      await encodeImage([100, 100, 100], { channels: 4 })
    )
    writeFileSync(join(dir, 'mixed', 'wide.png'), await encodeImage(100, { width: 50, height: 10 }))
    const report = await importDataset(options(dir, { size: 10 }))
    expect(report.skipped).toEqual([])
    expect(report.manifest.counts.train + report.manifest.counts.test).toBe(4)
  })

  it('leaves out an empty class folder and says so', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [10, 10])
    mkdirSync(join(dir, 'empty'))
    const report = await importDataset(options(dir))
    expect(report.manifest.classes).toEqual(['class0', 'class1'])
    expect(report.skipped).toEqual([
      { entry: 'empty/', reason: 'an empty class folder (no images): left out' }
    ])
  })

  it('refuses a folder with no class folders, and a single image', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'one.png'), await encodeImage(1))
    await expect(importDataset(options(dir))).rejects.toThrow(/holds no class folders/)
    await expect(importDataset(options(join(dir, 'one.png')))).rejects.toThrow(
      /one\.png is one image; give the folder/
    )
    await expect(importDataset(options(join(dir, 'missing')))).rejects.toThrow(/does not exist/)
  })
})

describe('bad rows and arrays', () => {
  it('skips CSV rows of the wrong length or with a value that is not a grey level', async () => {
    const dir = scratch()
    const row = (label: number, length = 16, v = '9'): string =>
      [label, ...Array<string>(length).fill(v)].join(',')
    const rows = [row(0), row(1), row(0, 15), row(1), row(0, 16, 'x'), row(1, 16, '300'), row(0)]
    writeFileSync(join(dir, 'data.csv'), rows.join('\n'))
    const report = await importDataset(options(join(dir, 'data.csv'), { size: 4 }))
    expect(report.manifest.counts.train + report.manifest.counts.test).toBe(4)
    expect(report.skipped).toEqual([
      { entry: 'data.csv row 3', reason: '16 values; expected 17' },
      { entry: 'data.csv row 5', reason: 'column 2 holds "x"; expected a grey level 0-255' },
      { entry: 'data.csv row 6', reason: 'column 2 holds "300"; expected a grey level 0-255' }
    ])
  })

  it('refuses a CSV whose rows are not square images', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'odd.csv'), '0,1,2,3,4,5\n1,1,2,3,4,5\n')
    await expect(importDataset(options(join(dir, 'odd.csv')))).rejects.toThrow(
      /odd\.csv row 1: 6 columns, so 5 pixels after the label; expected a square image/
    )
  })

  it('refuses a .npy of an unsupported dtype or shape, naming the file', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'f64.npy'), npy(new Float64Array(2 * 4 * 4), [2, 4, 4]))
    await expect(importDataset(options(join(dir, 'f64.npy')))).rejects.toThrow(
      'f64.npy: dtype float64 is not supported for images (uint8 or float32)'
    )
    writeFileSync(join(dir, 'flat.npy'), npy(new Uint8Array(32), [2, 16]))
    await expect(importDataset(options(join(dir, 'flat.npy')))).rejects.toThrow(
      'flat.npy: shape (2, 16); expected (N, H, W) or (N, H, W, C)'
    )
    writeFileSync(join(dir, 'five.npy'), npy(new Uint8Array(2 * 4 * 4 * 5), [2, 4, 4, 5]))
    await expect(importDataset(options(join(dir, 'five.npy')))).rejects.toThrow(
      'five.npy: shape (2, 4, 4, 5) has 5 channels in its last axis; expected 1, 3 or 4'
    )
    writeFileSync(join(dir, 'junk.npy'), 'not numpy')
    await expect(importDataset(options(join(dir, 'junk.npy')))).rejects.toThrow(
      /junk\.npy cannot be read as a NumPy \.npy array/
    )
  })

  it('refuses labels that do not match the images in count (IDX and .npz)', async () => {
    const dir = scratch()
    writeIdxPair(dir, 'train', labelsOf(2, 5), 28, { labelCount: 9 })
    await expect(importDataset(options(dir))).rejects.toThrow(
      'train-labels-idx1-ubyte holds 9 labels but train-images-idx3-ubyte holds 10 images'
    )
    writeNpz(join(dir, 'd.npz'), {
      x_train: npy(greyImages(labelsOf(2, 5), 8), [10, 8, 8]),
      y_train: npy(Uint8Array.from(labelsOf(2, 4)), [8])
    })
    await expect(importDataset(options(join(dir, 'd.npz')))).rejects.toThrow(
      'd.npz:y_train holds 8 labels but d.npz:x_train holds 10 images'
    )
  })

  it('imports an .npz whose train and test arrays differ in channels', async () => {
    const dir = scratch()
    writeNpz(join(dir, 'd.npz'), {
      x_train: npy(greyImages(labelsOf(1, 6), 8), [6, 8, 8]),
      x_test: npy(greyImages(labelsOf(1, 2), 8, 3), [2, 8, 8, 3])
    })
    const report = await importDataset(options(join(dir, 'd.npz'), { size: 8 }))
    expect(report.manifest.counts).toMatchObject({ train: 6, test: 2 })
  })
})

describe('names, replacing and cancelling', () => {
  it('refuses a bad name, a built-in name and an existing set unless told to replace it', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [4])
    await expect(importDataset(options(dir, { name: '../x' }))).rejects.toThrow(/--name "..\/x"/)
    await expect(importDataset(options(dir, { name: 'MNIST' }))).rejects.toThrow(/built-in/)
    await expect(importDataset(options(dir, { size: 2 }))).rejects.toThrow(/--size must be/)
    const run = options(dir)
    await importDataset(run)
    await expect(importDataset(run)).rejects.toThrow(/a data set named "mine" already exists/)
    const replaced = await importDataset({ ...run, size: 8, replace: true })
    expect((await readManifest(run.datasetsRoot, 'mine')).size).toBe(8)
    expect(replaced.manifest.size).toBe(8)
    expect(readdirSync(run.datasetsRoot)).toEqual(['mine'])
  })

  it('leaves nothing behind when cancelled part-way through decoding', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [600, 600])
    const controller = new AbortController()
    const run = options(dir, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'decoding' && p.done >= 500) controller.abort(new Error('cancelled'))
      }
    })
    await expect(importDataset(run)).rejects.toThrow('cancelled')
    expect(existsSync(run.datasetsRoot) ? readdirSync(run.datasetsRoot) : []).toEqual([])
  })

  it('says so when a prepared set is damaged or its files have changed', async () => {
    const dir = scratch()
    await writeImageFolder(dir, [6, 6])
    const run = options(dir)
    await importDataset(run)
    const images = join(run.datasetsRoot, 'mine', 'train-images-idx3-ubyte')
    const bytes = await readFile(images)
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff
    await writeFile(images, bytes)
    await expect(loadImported(run.datasetsRoot, 'mine')).rejects.toThrow(
      'the data set "mine" has changed since it was imported'
    )
    await writeFile(join(run.datasetsRoot, 'mine', 'dataset.json'), '{"format": 1}')
    const [entry] = await listImported(run.datasetsRoot)
    expect(entry).toMatchObject({
      name: 'mine',
      error: expect.stringMatching(/dataset\.json is damaged/)
    })
  })
})
