import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readIdx, writeIdx } from '../src/ml/data/idx'
import { CLASS_NAMES, loadImageSet } from '../src/ml/data/datasets'
import { summariseImageSets } from '../src/ml/data/summaries'
import { prepareDatasets } from '../src/services/prepare-datasets'
import { datasetsDir } from './helpers'

const scratch = mkdtempSync(join(tmpdir(), 'lab-idx-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('IDX reader', () => {
  it('round-trips unsigned bytes with their dimensions', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7)
    const parsed = readIdx(writeIdx([2, 3, 4], data))
    expect(parsed.dims).toEqual([2, 3, 4])
    expect([...parsed.data]).toEqual([...data])
  })

  it('rejects damaged files with a clear message', () => {
    const good = writeIdx([2, 2], Uint8Array.of(1, 2, 3, 4))
    expect(() => readIdx(good.subarray(0, 3))).toThrow(/too short/)
    expect(() => readIdx(good.subarray(0, 10))).toThrow(
      /truncated inside its header|header promises/
    )
    expect(() => readIdx(good.subarray(0, good.length - 1))).toThrow(/header promises 4/)
    const badMagic = Uint8Array.from(good)
    badMagic[0] = 7
    expect(() => readIdx(badMagic)).toThrow(/magic/)
    const floats = Uint8Array.from(good)
    floats[2] = 0x0d
    expect(() => readIdx(floats)).toThrow(/not supported/)
  })

  it('loads the real prepared MNIST: 60,000 + 10,000 labelled 28x28 images', async () => {
    const train = await loadImageSet(datasetsDir, 'mnist', 'train')
    const test = await loadImageSet(datasetsDir, 'mnist', 'test')
    expect(train.count).toBe(60000)
    expect(test.count).toBe(10000)
    expect(train.images.length).toBe(60000 * 784)
    // MNIST's first training image is a 5, its first test image a 7.
    expect(train.labels[0]).toBe(5)
    expect(test.labels[0]).toBe(7)
    const perClass = new Array(10).fill(0)
    for (const label of train.labels) perClass[label]++
    expect(Math.min(...perClass)).toBeGreaterThan(5000)
  })

  it('loads the real prepared Fashion-MNIST with a class-balanced split', async () => {
    const train = await loadImageSet(datasetsDir, 'fashion-mnist', 'train')
    const test = await loadImageSet(datasetsDir, 'fashion-mnist', 'test')
    expect([train.count, test.count]).toEqual([60000, 10000])
    const perClass = new Array(10).fill(0)
    for (const label of test.labels) perClass[label]++
    expect(perClass).toEqual(new Array(10).fill(1000))
    // Shuffled: the first 100 training images cover every class.
    expect(new Set(train.labels.subarray(0, 100)).size).toBe(10)
    const summaries = await summariseImageSets(datasetsDir)
    expect(summaries.map((s) => [s.id, s.available, s.train, s.test])).toEqual([
      ['mnist', true, 60000, 10000],
      ['fashion-mnist', true, 60000, 10000]
    ])
    expect(summaries[1]!.classNames).toEqual(CLASS_NAMES['fashion-mnist'])
    expect(CLASS_NAMES['fashion-mnist']).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot'
    ])
  })

  it('says how to prepare a data set that is missing', async () => {
    await expect(loadImageSet(scratch, 'mnist', 'train')).rejects.toThrow(/npm run prepare-data/)
    const summaries = await summariseImageSets(scratch)
    expect(summaries.every((s) => !s.available && /prepare-data/.test(s.message))).toBe(true)
  })
})

describe('dataset preparation', () => {
  it('converts per-class JSON to IDX with a fixed split, and copies checked MNIST files', async () => {
    const mnistDir = join(scratch, 'src-mnist')
    const fashionDir = join(scratch, 'src-fashion')
    mkdirSync(mnistDir)
    mkdirSync(fashionDir)
    const image = (value: number): number[] => new Array(784).fill(value)
    for (const [split, n] of [
      ['train', 6],
      ['t10k', 2]
    ] as const) {
      writeFileSync(
        join(mnistDir, `${split}-images-idx3-ubyte`),
        writeIdx([n, 28, 28], new Uint8Array(n * 784).fill(9))
      )
      writeFileSync(
        join(mnistDir, `${split}-labels-idx1-ubyte`),
        writeIdx([n], new Uint8Array(n).fill(3))
      )
    }
    for (let label = 0; label < 10; label++) {
      // Seven images per class, one of them an empty entry as in the real package's class 0.
      const data: number[][] = [
        image(label * 10),
        [],
        ...Array.from({ length: 6 }, () => image(label * 10 + 1))
      ]
      writeFileSync(join(fashionDir, `${label}.json`), JSON.stringify({ data }))
    }
    const out = join(scratch, 'prepared')
    const reports = await prepareDatasets({ mnistDir, fashionDir }, out, { fashionPerClass: 7 })
    expect(reports).toEqual([
      { id: 'mnist', action: 'prepared', train: 6, test: 2 },
      { id: 'fashion-mnist', action: 'prepared', train: 60, test: 10 }
    ])
    const train = await loadImageSet(out, 'fashion-mnist', 'train')
    const test = await loadImageSet(out, 'fashion-mnist', 'test')
    // Every image keeps its own label: pixel values encode the class.
    for (const set of [train, test]) {
      for (let i = 0; i < set.count; i++)
        expect(Math.floor(set.images[i * 784]! / 10)).toBe(set.labels[i])
    }
    expect([...test.labels].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const again = await prepareDatasets({ mnistDir, fashionDir }, out, { fashionPerClass: 7 })
    expect(again.map((r) => r.action)).toEqual(['up to date', 'up to date'])
  })

  it('refuses a damaged MNIST source instead of preparing it', async () => {
    const mnistDir = join(scratch, 'bad-mnist')
    mkdirSync(mnistDir)
    writeFileSync(join(mnistDir, 'train-images-idx3-ubyte'), Uint8Array.of(0, 0, 8, 3, 0, 0))
    await expect(
      prepareDatasets({ mnistDir, fashionDir: mnistDir }, join(scratch, 'bad-out'))
    ).rejects.toThrow(/truncated|short/)
  })
})
