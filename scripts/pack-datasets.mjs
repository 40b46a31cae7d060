#!/usr/bin/env node
// Packaging step: the data sets a packaged app ships (electron-builder.yml, extraResources) are
// written to build/datasets/: fonts.json as is, and the MNIST / Fashion-MNIST IDX files that
// `npm run prepare-data` left in resources/datasets/, gzipped (110 MB down to 41 MB; level 9 saves
// under 1% more at several times the time), which the lab reads as they are (see
// src/ml/data/datasets.ts). Files already packed from the same
// source are kept. Run by `npm run package` and `npm run package:dir` (and the packaging test).
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { copyFile, mkdir, rename, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip, constants } from 'node:zlib'

const root = resolve(import.meta.dirname, '..')
export const SOURCE = join(root, 'resources/datasets')
export const TARGET = join(root, 'build/datasets')

const IMAGE_SETS = ['mnist', 'fashion-mnist']
const IDX = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte'
]

/** Whether `target` was written after `source` last changed. */
async function upToDate(source, target) {
  if (!existsSync(target)) return false
  return (await stat(target)).mtimeMs >= (await stat(source)).mtimeMs
}

async function gzipFile(source, target) {
  const partial = `${target}.partial`
  await pipeline(
    createReadStream(source),
    createGzip({ level: constants.Z_DEFAULT_COMPRESSION }),
    createWriteStream(partial)
  )
  await rename(partial, target)
}

export async function packDatasets({ source = SOURCE, target = TARGET } = {}) {
  const missing = IMAGE_SETS.flatMap((id) => IDX.map((name) => join(source, id, name))).filter(
    (path) => !existsSync(path)
  )
  if (missing.length > 0)
    throw new Error(
      `the data sets are not prepared (${missing[0]} is missing): run \`npm run prepare-data\``
    )
  await mkdir(target, { recursive: true })
  await copyFile(join(source, 'fonts.json'), join(target, 'fonts.json'))
  const jobs = IMAGE_SETS.flatMap((id) =>
    IDX.map((name) => ({ from: join(source, id, name), to: join(target, id, `${name}.gz`) }))
  )
  const packed = []
  for (const { from, to } of jobs) {
    if (await upToDate(from, to)) continue
    await mkdir(dirname(to), { recursive: true })
    await gzipFile(from, to)
    packed.push(to)
  }
  return { target, packed: packed.length, kept: jobs.length - packed.length }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now()
  packDatasets().then(
    ({ target, packed, kept }) =>
      process.stdout.write(
        `data sets for packaging in ${target}: ${packed} packed, ${kept} up to date (${((Date.now() - started) / 1000).toFixed(1)} s)\n`
      ),
    (error) => {
      process.stderr.write(`pack-datasets: ${error.message}\n`)
      process.exit(1)
    }
  )
}
