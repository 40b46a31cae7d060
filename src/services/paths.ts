import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Sources (src/services/) and bundles (out/main/, out/main/chunks/) sit at different depths, so
// the project root is found by walking up to the nearest package.json.
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error("cannot find the lab's installation folder (no package.json above it)")
    dir = parent
  }
  return dir
}

/** The folder with fonts.json and the prepared MNIST / Fashion-MNIST files. */
export function datasetsDir(): string {
  return process.env['LAB_DATASETS_DIR'] ?? resolve(projectRoot(), 'resources/datasets')
}

/** The built renderer (index.html and its assets). */
export function rendererDir(): string {
  return resolve(projectRoot(), 'out/renderer')
}

/** The built training worker. */
export function trainingWorkerPath(): string {
  return process.env['LAB_WORKER_PATH'] ?? resolve(projectRoot(), 'out/main/training-worker.js')
}
