import * as tf from '@tensorflow/tfjs'
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { runInThisContext } from 'node:vm'
import * as workerThreads from 'node:worker_threads'
import { MAX_WASM_THREADS } from './threads'

// The wasm backend's multithreaded build (XNNPACK over a pthread pool), started in Node.
//
// tfjs starts only its single-threaded build in Node (tensorflow/tfjs#3830): its loader hands
// Emscripten a blob: URL for the pthread worker script, which Node's worker_threads cannot
// open. The package ships everything else that is needed, so this module starts the threaded
// build itself, handing the worker script to worker_threads as code (eval: no file is written,
// so nothing in a shared temp directory could stand in for it). It also sets the pool size: the C++
// side sizes it as "logical cores / 2" (it assumes two hardware threads per core, as in
// browsers), which gives one thread on a two-core machine. Measured here on the VAE's
// 128x784 @ 784x256 product: 1.5 ms on one thread, 0.84 ms on two.

const nodeRequire = createRequire(import.meta.url)

/** The slice of an Emscripten module that the backend uses. */
interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number
  tfjs?: Record<string, (...args: number[]) => number>
}

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>

/** The WebAssembly API as used here (the node typings leave it to lib.dom). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>
  Instance: new (module: object, imports: object) => { exports: object }
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

function wasmOutDir(): string {
  return join(
    dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'wasm-out'
  )
}

/** The pthread worker script (CommonJS, as Emscripten generated it). */
function pthreadWorkerScript(): string {
  const { wasmWorkerContents } = nodeRequire(
    join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.worker.js')
  ) as { wasmWorkerContents: string }
  // The shipped string holds real newlines inside string literals; tfjs escapes them too.
  return wasmWorkerContents.replace(/\n/g, '\\n')
}

/**
 * worker_threads as Emscripten sees it: its Worker runs the pthread script from memory (eval)
 * whatever path it is given.
 */
function workerThreadsRunning(script: string): typeof workerThreads {
  class PthreadWorker extends workerThreads.Worker {
    constructor(_path: string | URL, options?: workerThreads.WorkerOptions) {
      super(script, { ...options, eval: true })
    }
  }
  return { ...workerThreads, Worker: PthreadWorker }
}

/**
 * Loads the Emscripten factory (a CommonJS script) with its pthread pool sized to `poolSize`
 * workers. The build pre-creates 8, each a Node worker with its own V8 heap (measured here:
 * +75 MB and +0.5 s at start for a two-thread pool); the pool needs only threads - 1. If the
 * line that sizes it is not found (another tfjs version), the script loads unchanged.
 */
function loadFactory(file: string, poolSize: number, workerScript: string): EmscriptenFactory {
  const source = readFileSync(file, 'utf8').replace(
    'var pthreadPoolSize=8;',
    `var pthreadPoolSize=${Math.max(1, poolSize)};`
  )
  const module = { exports: {} as unknown }
  const wrapper = runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: file }
  ) as (...args: unknown[]) => void
  const threads = workerThreadsRunning(workerScript)
  const shimmedRequire = (id: string): unknown =>
    id === 'worker_threads' || id === 'node:worker_threads' ? threads : nodeRequire(id)
  wrapper(module.exports, shimmedRequire, module, file, dirname(file))
  return module.exports as EmscriptenFactory
}

async function startThreadedModule(threads: number): Promise<EmscriptenModule> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is missing')
  const dir = wasmOutDir()
  const factory = loadFactory(
    join(dir, 'tfjs-backend-wasm-threaded-simd.js'),
    threads - 1,
    pthreadWorkerScript()
  )
  const compiled = await wasmApi.compile(
    readFileSync(join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'))
  )
  const module = await factory({
    locateFile: (path: string) => join(dir, path),
    // The pthread workers load the main script by path (importScripts reads files in Node).
    mainScriptUrlOrBlob: join(dir, 'tfjs-backend-wasm-threaded-simd.js'),
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: { exports: object }, module: object) => void
    ) => {
      // The pool size is min(requested, logical cores / 2): report twice the threads wanted.
      imports.env['emscripten_num_logical_cores'] = () => 2 * threads
      const instance = new wasmApi.Instance(compiled, imports)
      receive(instance, compiled)
      return instance.exports
    }
  })
  const wrap = (name: string, returns: string | null, args: string[]) =>
    module.cwrap(name, returns, args)
  module.tfjs = {
    init: wrap('init', null, []),
    initWithThreadsCount: wrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wrap('get_threads_count', 'number', []),
    registerTensor: wrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wrap('dispose_data', null, ['number']),
    dispose: wrap('dispose', null, [])
  }
  return module
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${ms} ms`)), ms)
    timer.unref()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    )
  })
}

/**
 * Starts the threaded build with `threads` threads and makes the 'wasm' backend use it. Throws,
 * changing nothing, if it cannot start. Returns a function that puts the stock
 * (single-threaded in Node) factory back, should the backend still fail to initialise.
 */
export async function useThreadedWasm(threads: number): Promise<() => void> {
  const stock = tf.findBackendFactory('wasm')
  if (!stock) throw new Error('the wasm backend is not registered')
  const wanted = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threads)))
  const module = await withTimeout(startThreadedModule(wanted), 20_000, 'the threaded build')
  setThreadsCount(wanted)
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    () => new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]),
    2
  )
  return () => {
    tf.removeBackend('wasm')
    tf.registerBackend('wasm', stock, 2)
  }
}

/** Threads in the running wasm backend's pool (1 for the single-threaded build). */
export function wasmThreads(): number {
  return Math.max(1, getThreadsCount())
}
