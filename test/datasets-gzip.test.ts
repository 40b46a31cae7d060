import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { idxFileNames, loadImageSet } from '../src/ml/data/datasets'
import { summariseImageSets } from '../src/ml/data/summaries'
import { datasetsDir } from './helpers'

// A packaged app ships MNIST and Fashion-MNIST gzipped (scripts/pack-datasets.mjs); the lab reads
// them as they are. Here from the real prepared test split, gzipped the same way.

const dir = mkdtempSync(join(tmpdir(), 'lab-gzipped-'))
const names = idxFileNames('test')

beforeAll(() => {
  for (const id of ['mnist', 'fashion-mnist']) {
    mkdirSync(join(dir, id))
    for (const name of [names.images, names.labels])
      writeFileSync(
        join(dir, id, `${name}.gz`),
        gzipSync(readFileSync(join(datasetsDir, id, name)))
      )
  }
  copyFileSync(join(datasetsDir, 'fonts.json'), join(dir, 'fonts.json'))
})

describe('gzipped data sets', () => {
  it('load with the same pixels and labels as the prepared files', async () => {
    const gzipped = await loadImageSet(dir, 'mnist', 'test')
    const plain = await loadImageSet(datasetsDir, 'mnist', 'test')
    expect(gzipped.count).toBe(10000)
    expect(Buffer.compare(gzipped.images, plain.images)).toBe(0)
    expect(Buffer.compare(gzipped.labels, plain.labels)).toBe(0)
  })

  it('are summarised from their headers and sizes, and a damaged one is reported as such', async () => {
    // The test split stands in for the training split too (the summary reads only headers).
    const train = idxFileNames('train')
    for (const [from, to] of [
      [names.images, train.images],
      [names.labels, train.labels]
    ] as const)
      copyFileSync(join(dir, 'mnist', `${from}.gz`), join(dir, 'mnist', `${to}.gz`))
    const mnist = async () => (await summariseImageSets(dir)).find((d) => d.id === 'mnist')!
    expect(await mnist()).toMatchObject({ available: true, train: 10000, test: 10000 })
    // A header that promises more images than the file holds.
    const images = readFileSync(join(datasetsDir, 'mnist', names.images))
    writeFileSync(join(dir, 'mnist', `${train.images}.gz`), gzipSync(images.subarray(0, 16 + 784)))
    expect((await mnist()).available).toBe(false)
    expect((await mnist()).message).toMatch(/train-images-idx3-ubyte\.gz is damaged/)

    const path = join(dir, 'fashion-mnist', `${names.images}.gz`)
    const whole = readFileSync(path)
    writeFileSync(path, whole.subarray(0, whole.length - 1000))
    await expect(loadImageSet(dir, 'fashion-mnist', 'test')).rejects.toThrow(
      `${path} is damaged (it does not decompress)`
    )
    writeFileSync(path, Buffer.from('not gzip at all'))
    await expect(loadImageSet(dir, 'fashion-mnist', 'test')).rejects.toThrow(/is damaged/)
  })
})
