import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPaths } from '../src/services/paths'
import { root } from './helpers'

// The one module that knows where the lab's files are, in a checkout and in a packaged app
// (test/packaging.test.ts checks the packaged layout against a laid-out resources/ folder).

describe('appPaths', () => {
  it('finds everything under the project root when unpacked, with the developer overrides', () => {
    const paths = appPaths({ packaged: false }, { documentsDir: '/home/u/Documents' })
    expect(paths.appDir).toBe(root)
    for (const path of [paths.preload, paths.trainingWorker, paths.wasmBackendDir])
      expect(existsSync(path), path).toBe(true)
    expect(existsSync(join(paths.rendererDir, 'index.html'))).toBe(true)
    expect(existsSync(join(paths.datasetsDir, 'fonts.json'))).toBe(true)
    expect(paths.workspace).toBe('/home/u/Documents/Autoencoder Lab')
    expect(paths.recoveryDir).toBe('/home/u/Documents/Autoencoder Lab/.recovery')
    const env = { LAB_WORKER_PATH: '/x/w.js', LAB_DATASETS_DIR: '/x/d', LAB_WORKSPACE: '/x/ws' }
    expect(appPaths({ packaged: false }, { documentsDir: '/d', env })).toMatchObject({
      trainingWorker: '/x/w.js',
      datasetsDir: '/x/d',
      workspace: '/x/ws',
      recoveryDir: '/x/ws/.recovery'
    })
  })

  it('splits a packaged app between app.asar, app.asar.unpacked and resources/datasets', () => {
    const env = { LAB_WORKER_PATH: '/x/w.js', LAB_DATASETS_DIR: '/x/d', LAB_WORKSPACE: '/x/ws' }
    const paths = appPaths(
      { packaged: true, resourcesPath: '/opt/lab/resources' },
      { documentsDir: '/home/u/Documents', env }
    )
    expect(paths).toEqual({
      appDir: '/opt/lab/resources/app.asar',
      unpackedDir: '/opt/lab/resources/app.asar.unpacked',
      preload: '/opt/lab/resources/app.asar/out/preload/index.cjs',
      rendererDir: '/opt/lab/resources/app.asar/out/renderer',
      // Developer overrides do not move a packaged app's code or data; the workspace may move.
      trainingWorker: '/opt/lab/resources/app.asar.unpacked/out/main/training-worker.js',
      wasmBackendDir:
        '/opt/lab/resources/app.asar.unpacked/node_modules/@tensorflow/tfjs-backend-wasm',
      tfjsNodeDir: '/opt/lab/resources/app.asar.unpacked/node_modules/@tensorflow/tfjs-node',
      datasetsDir: '/opt/lab/resources/datasets',
      workspace: '/x/ws',
      recoveryDir: '/x/ws/.recovery'
    })
  })
})
