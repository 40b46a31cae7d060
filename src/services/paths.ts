import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Every path the lab resolves at run time, in one place, for both layouts it runs from:
//
// - unpacked: a checkout or an unzipped tree (npm start, the browser host, the CLI, the tests);
//   everything sits under the project root (out/, node_modules/, resources/datasets/).
// - packaged: an app built by electron-builder (electron-builder.yml). Its resources/ folder
//   holds app.asar (package.json, out/preload, out/renderer), app.asar.unpacked (what must be a
//   real file: out/main and node_modules, which Node's worker threads load by path; see
//   asarUnpack) and datasets/ (fonts.json and MNIST / Fashion-MNIST gzipped: extraResources).
//
// test/packaging.test.ts lays out a packaged resources/ folder the way the configuration says and
// checks every path below against it.

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

/** Where a session keeps the recovery file of its unsaved runs, inside the workspace. */
export const RECOVERY_FOLDER = '.recovery'

/** The workspace's name inside the user's Documents folder. */
export const WORKSPACE_FOLDER = 'Autoencoder Lab'

export type Layout = { packaged: false } | { packaged: true; resourcesPath: string }

export interface AppPaths {
  /** The app's own files: the project root, or resources/app.asar. */
  appDir: string
  /** Where files that must be real files live: the project root, or app.asar.unpacked. */
  unpackedDir: string
  /** The sandboxed preload script (CommonJS). */
  preload: string
  /** The built renderer, served as app://lab/. */
  rendererDir: string
  /** The training worker's script (started by Node's worker threads). */
  trainingWorker: string
  /** tfjs-backend-wasm: its .wasm modules and the threaded build's scripts, read as files. */
  wasmBackendDir: string
  /** tfjs-node, when it was installed at build time (its native binding is loaded by path). */
  tfjsNodeDir: string
  /** fonts.json and the prepared MNIST / Fashion-MNIST files. */
  datasetsDir: string
  /** The user's sessions (default: Documents/Autoencoder Lab). */
  workspace: string
  /** The recovery file of unsaved runs. */
  recoveryDir: string
}

export interface AppPathOptions {
  /** The user's Documents folder (Electron: app.getPath('documents')). */
  documentsDir: string
  /** LAB_WORKSPACE moves the workspace; LAB_DATASETS_DIR and LAB_WORKER_PATH (unpacked only). */
  env?: Readonly<Record<string, string | undefined>>
}

/** Every run-time path of the desktop app, for the layout it runs from. */
export function appPaths(layout: Layout, options: AppPathOptions): AppPaths {
  const env = options.env ?? {}
  const appDir = layout.packaged ? join(layout.resourcesPath, 'app.asar') : projectRoot()
  const unpackedDir = layout.packaged ? join(layout.resourcesPath, 'app.asar.unpacked') : appDir
  const devOverride = (name: string): string | undefined =>
    layout.packaged ? undefined : env[name]
  const workspace = env['LAB_WORKSPACE'] ?? join(options.documentsDir, WORKSPACE_FOLDER)
  return {
    appDir,
    unpackedDir,
    preload: join(appDir, 'out/preload/index.cjs'),
    rendererDir: join(appDir, 'out/renderer'),
    trainingWorker:
      devOverride('LAB_WORKER_PATH') ?? join(unpackedDir, 'out/main/training-worker.js'),
    wasmBackendDir: join(unpackedDir, 'node_modules/@tensorflow/tfjs-backend-wasm'),
    tfjsNodeDir: join(unpackedDir, 'node_modules/@tensorflow/tfjs-node'),
    datasetsDir:
      devOverride('LAB_DATASETS_DIR') ??
      (layout.packaged
        ? join(layout.resourcesPath, 'datasets')
        : join(appDir, 'resources/datasets')),
    workspace,
    recoveryDir: join(workspace, RECOVERY_FOLDER)
  }
}
