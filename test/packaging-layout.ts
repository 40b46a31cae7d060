import {
  createPackageFromStreams,
  listPackage,
  statFile,
  type AsarStreamType
} from '@electron/asar'
import * as fileMatcher from 'app-builder-lib/out/fileMatcher.js'
import { excludedExts, excludedNames, getFileMatchers } from 'app-builder-lib/out/fileMatcher.js'
import { NpmNodeModulesCollector } from 'app-builder-lib/out/node-module-collector/npmNodeModulesCollector.js'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import type { Configuration } from 'app-builder-lib'
import { DebugLogger, TmpDir } from 'builder-util'
import { createReadStream, existsSync, type Stats } from 'node:fs'
import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import type { AppPaths } from '../src/services/paths'
import { root } from './helpers'

// A packaged app's resources/ folder, laid out here the way electron-builder lays it out, from
// electron-builder.yml read and checked by electron-builder's own code: its `files` and
// `asarUnpack` matchers, its list of production dependencies, its `extraResources` mappings; the
// archive is written with @electron/asar, as electron-builder writes it. Only Electron's binary
// (and with it the platform installers) is left out: it cannot be downloaded here.

export { root }

/** electron-builder.yml as electron-builder reads it, after its schema check. */
export async function loadBuilderConfig(): Promise<Configuration> {
  const config = await getConfig(root, null, null)
  await validateConfiguration(config, new DebugLogger(false))
  return config
}

export { validateConfiguration }
export const checkConfig = (config: Configuration): Promise<void> =>
  validateConfiguration(config, new DebugLogger(false))

type Filter = (file: string, stat: Stats) => boolean

/** electron-builder's matcher for files inside modules (marked internal, so not in its typings). */
const { getNodeModuleFileMatcher } = fileMatcher as unknown as {
  getNodeModuleFileMatcher: (
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    packager: { config: Configuration; debugLogger: DebugLogger }
  ) => fileMatcher.FileMatcher
}

function matcher(config: Configuration, name: 'files' | 'asarUnpack'): Filter | null {
  const matchers = getFileMatchers(config, name, root, {
    macroExpander: (pattern: string) => pattern,
    customBuildOptions: {},
    globalOutDir: join(root, 'dist'),
    defaultSrc: root
  })
  return matchers?.[0]?.createFilter() ?? null
}

/** Every file under `dir` (absolute), descending only where `enter` says. */
async function walk(dir: string, enter: (path: string, stat: Stats) => boolean): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry)
    const stat = await lstat(path)
    if (!enter(path, stat)) continue
    if (stat.isDirectory()) found.push(...(await walk(path, enter)))
    else if (stat.isFile()) found.push(path)
  }
  return found
}

/** The production dependencies' folders, as electron-builder collects them (npm's tree). */
export async function productionModules(): Promise<string[]> {
  const temporary = new TmpDir('lab-packaging')
  try {
    const collector = new NpmNodeModulesCollector(root, temporary)
    const { nodeModules } = await collector.getNodeModules({ packageName: 'autoencoder-lab' })
    const dirs = new Set<string>()
    const add = (list: typeof nodeModules | undefined): void => {
      for (const module of list ?? []) {
        dirs.add(module.dir)
        add(module.dependencies)
      }
    }
    add(nodeModules)
    return [...dirs].sort()
  } finally {
    await temporary.cleanup()
  }
}

/** Files electron-builder leaves out of every module (lock files, .d.ts, objects, ...). */
const names = new Set(excludedNames.split(','))
const extensions = excludedExts.split(',').map((ext) => `.${ext}`)
const excludedByDefault = (path: string): boolean => {
  const name = path.slice(path.lastIndexOf(sep) + 1)
  return names.has(name) || extensions.some((ext) => name.endsWith(ext))
}

/**
 * What goes into the app (absolute paths): `files` outside node_modules, then the production
 * modules' files less the exclusions of `files` (as electron-builder applies them to modules).
 */
export async function appFiles(config: Configuration, modules: string[]): Promise<string[]> {
  const files = matcher(config, 'files')
  if (!files) throw new Error('electron-builder.yml has no `files`')
  const own = await walk(
    root,
    (path, stat) =>
      !['node_modules', '.git'].includes(relative(root, path).split(sep)[0]!) && files(path, stat)
  )
  const inModules = getNodeModuleFileMatcher(
    root,
    root,
    (pattern) => pattern,
    {},
    {
      config,
      debugLogger: new DebugLogger(false)
    }
  ).createFilter()
  const fromModules: string[] = []
  for (const dir of modules)
    fromModules.push(
      ...(await walk(
        dir,
        // A module's own node_modules holds other modules of the list (npm's nested installs).
        (path, stat) =>
          !path.endsWith(`${sep}node_modules`) && !excludedByDefault(path) && inModules(path, stat)
      ))
    )
  return [...own.sort(), ...fromModules]
}

/**
 * Writes resources/app.asar (and app.asar.unpacked, as `asarUnpack` says) and the
 * `extraResources` into `resourcesDir`.
 */
export async function layOutResources(
  config: Configuration,
  files: string[],
  resourcesDir: string
): Promise<void> {
  const unpack = matcher(config, 'asarUnpack')
  const streams: AsarStreamType[] = []
  const directories = new Set<string>()
  for (const file of files) {
    const path = relative(root, file)
    for (let dir = dirname(path); dir !== '.' && !directories.has(dir); dir = dirname(dir)) {
      directories.add(dir)
      streams.push({ type: 'directory', path: dir, unpacked: false })
    }
    const stat = await lstat(file)
    streams.push({
      type: 'file',
      path,
      streamGenerator: () => createReadStream(file),
      unpacked: unpack?.(file, stat) ?? false,
      stat
    })
  }
  await mkdir(resourcesDir, { recursive: true })
  await new Promise<void>((done, fail) => {
    createPackageFromStreams(join(resourcesDir, 'app.asar'), streams).then((stream) => {
      stream.on('close', () => done())
      stream.on('error', fail)
    }, fail)
  })
  const extra =
    getFileMatchers(config, 'extraResources', resourcesDir, {
      macroExpander: (pattern: string) => pattern,
      customBuildOptions: {},
      globalOutDir: join(root, 'dist'),
      defaultSrc: root
    }) ?? []
  for (const mapping of extra) {
    const filter = mapping.createFilter()
    for (const file of await walk(mapping.from, (path, stat) => filter(path, stat))) {
      const target = join(mapping.to, relative(mapping.from, file))
      await mkdir(dirname(target), { recursive: true })
      await copyFile(file, target)
    }
  }
}

export type Where = 'archive' | 'file' | 'missing'

/**
 * Where a path of the packaged app is: an entry inside app.asar (Electron can read it, Node
 * cannot), a real file (in app.asar.unpacked, or beside the archive), or nowhere.
 */
export function whereIs(resourcesDir: string, path: string): Where {
  const archive = join(resourcesDir, 'app.asar')
  for (const base of [archive, `${archive}.unpacked`]) {
    const inside = relative(base, path)
    if (inside.startsWith('..')) continue
    let entry: { unpacked?: boolean }
    try {
      entry = statFile(archive, inside) as { unpacked?: boolean }
    } catch {
      return 'missing'
    }
    if (!entry.unpacked) return 'archive'
    return existsSync(join(`${archive}.unpacked`, inside)) ? 'file' : 'missing'
  }
  return existsSync(path) ? 'file' : 'missing'
}

/** Everything in the archive and beside it, as paths relative to the app (a/b/c). */
export function archivedPaths(resourcesDir: string): string[] {
  return listPackage(join(resourcesDir, 'app.asar'), { isPack: false }).map((p) =>
    p
      .replace(/^[/\\]/, '')
      .split(sep)
      .join('/')
  )
}

/**
 * What is wrong with a packaged layout for the paths the app resolves: each path must exist, and
 * what Node's worker threads or Emscripten read by path (the worker, the wasm backend's files)
 * must be a real file, not an entry of the archive.
 */
export function layoutProblems(resourcesDir: string, paths: AppPaths): string[] {
  const problems: string[] = []
  const expect = (label: string, path: string, allowed: Where[]): void => {
    const where = whereIs(resourcesDir, path)
    if (!allowed.includes(where))
      problems.push(
        `${label}: ${relative(resourcesDir, path)} is ${where === 'archive' ? 'inside app.asar' : where}`
      )
  }
  expect('preload', paths.preload, ['archive', 'file'])
  expect('renderer', join(paths.rendererDir, 'index.html'), ['archive', 'file'])
  expect('training worker', paths.trainingWorker, ['file'])
  for (const file of [
    'dist/tfjs-backend-wasm.wasm',
    'dist/tfjs-backend-wasm-simd.wasm',
    'wasm-out/tfjs-backend-wasm-threaded-simd.js',
    'wasm-out/tfjs-backend-wasm-threaded-simd.wasm',
    'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'
  ])
    expect('wasm backend', join(paths.wasmBackendDir, file), ['file'])
  expect('letters', join(paths.datasetsDir, 'fonts.json'), ['file'])
  for (const id of ['mnist', 'fashion-mnist'])
    for (const name of ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      expect(id, join(paths.datasetsDir, id, `${name}.gz`), ['file'])
  return problems
}
