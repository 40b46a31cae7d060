import { Worker } from 'node:worker_threads'
import { denseWasmBase64 } from './dense-wasm'

// The lab's WebAssembly kernels at run time: the compiled module, one shared memory per network
// with a bump allocator over it, and a pool of helper threads that take their share of a kernel
// call (fork-join over the same memory). See assembly/dense.ts for the kernels themselves.

// The WebAssembly API, typed here: the node typings' lib (ES2022) does not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** Must match --maximumMemory in scripts/build-kernels.mjs. */
export const MAX_PAGES = 65536
const PAGE = 65536

export interface KernelExports {
  activate(z: number, act: number): number
  dense(a: number, w: number, c: number, m: number, k: number, n: number, act: number): void
  backInput(
    d: number,
    wt: number,
    h: number,
    g: number,
    m: number,
    n: number,
    k: number,
    act: number
  ): void
  transpose(w: number, wt: number, k: number, n: number, j0: number, j1: number): void
  kernelGrad(
    a: number,
    d: number,
    g: number,
    m: number,
    k: number,
    n: number,
    k0: number,
    k1: number
  ): void
  outputDelta(p: number, y: number, d: number, count: number, scale: number): void
  sigmoidCrossEntropy(
    l: number,
    x: number,
    d: number,
    rowLoss: number,
    m: number,
    n: number,
    scale: number
  ): void
  adam(
    theta: number,
    grad: number,
    m: number,
    v: number,
    count: number,
    beta1: number,
    beta2: number,
    eps: number,
    stepSize: number
  ): void
  sgd(
    theta: number,
    grad: number,
    velocity: number,
    count: number,
    momentum: number,
    nesterov: number,
    lr: number
  ): void
  rmsprop(
    theta: number,
    grad: number,
    square: number,
    velocity: number,
    count: number,
    decay: number,
    eps: number,
    momentum: number,
    lr: number
  ): void
}

/** The kernels a helper thread can run, by index in its control block. */
export const POOLED = [
  'dense',
  'backInput',
  'transpose',
  'kernelGrad',
  'sigmoidCrossEntropy',
  'adam',
  'sgd',
  'rmsprop'
] as const
export type PooledKernel = (typeof POOLED)[number]

let compiled: object | null = null
const moduleOf = (): object =>
  (compiled ??= new wasmApi.Module(Buffer.from(denseWasmBase64, 'base64')))

const newMemory = (): WasmMemory =>
  new wasmApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })

const instantiate = (memory: WasmMemory): KernelExports =>
  new wasmApi.Instance(moduleOf(), { env: { memory } }).exports as KernelExports

/** Whether this runtime runs the kernels (WebAssembly with SIMD, threads' shared memory). */
export function kernelsSupported(): boolean {
  if (supported === null) {
    try {
      instantiate(newMemory())
      supported = true
    } catch {
      supported = false
    }
  }
  return supported
}
let supported: boolean | null = null

/** A memory with the kernels instantiated over it and a bump allocator (nothing is freed). */
export interface Arena {
  readonly kernels: KernelExports
  readonly memory: WasmMemory
  /** Reserves room for `floats` 32-bit values (16-byte aligned, zeroed); returns the byte offset. */
  reserve(floats: number): number
  /** Grows the memory to cover what was reserved; call before taking views. */
  commit(): void
  f32(at: number, length: number): Float32Array
  f64(at: number, length: number): Float64Array
}

export function createArena(): Arena {
  const memory = newMemory()
  const kernels = instantiate(memory)
  // The module has no data of its own; keep the first page free all the same.
  let top = PAGE
  return {
    kernels,
    memory,
    reserve(floats) {
      const at = top
      top += Math.ceil(floats / 4) * 16
      return at
    },
    commit() {
      const pages = Math.ceil(top / PAGE) - memory.buffer.byteLength / PAGE
      if (pages <= 0) return
      if (Math.ceil(top / PAGE) > MAX_PAGES)
        throw new Error(
          `the network needs ${Math.ceil(top / 2 ** 20)} MiB of kernel memory (at most ${(MAX_PAGES * PAGE) / 2 ** 20})`
        )
      memory.grow(pages)
    },
    f32: (at, length) => new Float32Array(memory.buffer, at, length),
    f64: (at, length) => new Float64Array(memory.buffer, at, length)
  }
}

export function kernelActivation(act: number, z: number): number {
  probe ??= createArena().kernels
  return probe.activate(z, act)
}
let probe: KernelExports | null = null

/**
 * Threads that split kernel calls: part 0 of a call runs on the calling thread, part i on helper
 * i (a worker thread with its own instance over the same shared memory). With one part,
 * everything runs here.
 */
export interface Pool {
  readonly parts: number
  /** Runs `name` once per entry of `args` (one argument list per part); returns when all are done. */
  run(name: PooledKernel, args: readonly (readonly number[])[]): void
  dispose(): void
}

// A helper's control block: [state, kernel index, argument count, message length], then the
// arguments (f64), then room for a failure's message (UTF-16).
const IDLE = 0
const POSTED = 1
const DONE = 2
const FAILED = 3
const STARTING = 4
const QUIT = -1
const MAX_ARGS = 12
const MESSAGE_CHARS = 240
const ARGS_AT = 16
const MESSAGE_AT = ARGS_AT + 8 * MAX_ARGS
const SPINS = 200_000
const JOIN_TIMEOUT_MS = 120_000

// The helper: instantiate the module over the shared memory, then run posted calls until told to
// quit. Its state changes only from the one it expects (compareExchange), so a QUIT stays final.
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { module, memory, control, names, spins } = workerData
const state = new Int32Array(control, 0, 4)
const args = new Float64Array(control, ${ARGS_AT}, ${MAX_ARGS})
const message = new Uint16Array(control, ${MESSAGE_AT}, ${MESSAGE_CHARS})
const fail = (from, error) => {
  const text = String(error && error.message ? error.message : error).slice(0, ${MESSAGE_CHARS})
  for (let i = 0; i < text.length; i++) message[i] = text.charCodeAt(i)
  state[3] = text.length
  Atomics.compareExchange(state, 0, from, ${FAILED})
  Atomics.notify(state, 0)
}
let fns = []
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports
  fns = names.map((name) => exports[name])
  Atomics.compareExchange(state, 0, ${STARTING}, ${IDLE})
  Atomics.notify(state, 0)
} catch (error) {
  fail(${STARTING}, error)
}
for (;;) {
  let s
  let spun = 0
  while ((s = Atomics.load(state, 0)) !== ${POSTED}) {
    if (s === ${QUIT} || s === ${FAILED}) process.exit(0)
    if (spun++ < spins) continue
    Atomics.wait(state, 0, s)
  }
  try {
    fns[state[1]](...args.subarray(0, state[2]))
    Atomics.compareExchange(state, 0, ${POSTED}, ${DONE})
    Atomics.notify(state, 0)
  } catch (error) {
    fail(${POSTED}, error)
  }
}
`

interface Helper {
  worker: Worker
  state: Int32Array
  args: Float64Array
  message: Uint16Array
}

function startHelper(arena: Arena): Helper {
  const control = new SharedArrayBuffer(MESSAGE_AT + 2 * MESSAGE_CHARS)
  const state = new Int32Array(control, 0, 4)
  const message = new Uint16Array(control, MESSAGE_AT, MESSAGE_CHARS)
  state[0] = STARTING
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: {
      module: moduleOf(),
      memory: arena.memory,
      control,
      names: [...POOLED],
      spins: SPINS
    }
  })
  // A helper that dies outside a call (it cannot run out of memory inside one: the memory is
  // shared and already allocated) is failed here, when this thread next turns its event loop.
  const died = (reason: string): void => {
    if (Atomics.load(state, 0) === QUIT) return
    const text = reason.slice(0, MESSAGE_CHARS)
    for (let i = 0; i < text.length; i++) message[i] = text.charCodeAt(i)
    state[3] = text.length
    Atomics.store(state, 0, FAILED)
  }
  worker.on('error', (error) => died(error.message))
  worker.on('exit', (code) => died(`it exited with code ${code}`))
  worker.unref()
  return { worker, state, args: new Float64Array(control, ARGS_AT, MAX_ARGS), message }
}

export function createPool(arena: Arena, parts: number): Pool {
  const helpers: Helper[] = []
  const dispose = (): void => {
    for (const { worker, state } of helpers) {
      Atomics.store(state, 0, QUIT)
      Atomics.notify(state, 0)
      void worker.terminate()
    }
  }
  try {
    for (let i = 1; i < parts; i++) helpers.push(startHelper(arena))
  } catch (error) {
    dispose()
    throw error
  }
  const { kernels } = arena
  const wait = (helper: Helper, busy: number): void => {
    const { state } = helper
    let spun = 0
    const started = Date.now()
    while (Atomics.load(state, 0) === busy) {
      if (spun++ < SPINS) continue
      Atomics.wait(state, 0, busy, 1000)
      if (Date.now() - started > JOIN_TIMEOUT_MS)
        throw new Error('a kernel thread stopped responding')
    }
    if (Atomics.load(state, 0) === FAILED)
      throw new Error(
        `a kernel thread failed: ${String.fromCharCode(...helper.message.subarray(0, state[3]))}`
      )
  }
  return {
    parts: helpers.length + 1,
    run(name, args) {
      if (args.length > helpers.length + 1)
        throw new Error(`${args.length} parts for ${helpers.length + 1} threads`)
      const index = POOLED.indexOf(name)
      const fn = kernels[name] as (...a: number[]) => void
      for (let h = 0; h < args.length - 1; h++) {
        const helper = helpers[h]!
        wait(helper, STARTING)
        const list = args[h + 1]!
        helper.state[1] = index
        helper.state[2] = list.length
        helper.args.set(list)
        Atomics.store(helper.state, 0, POSTED)
        Atomics.notify(helper.state, 0)
      }
      // Join every helper even when this thread's share throws, so none is left mid-call.
      let failure: unknown = null
      try {
        fn(...args[0]!)
      } catch (error) {
        failure = error
      }
      for (let h = 0; h < args.length - 1; h++) {
        const helper = helpers[h]!
        try {
          wait(helper, POSTED)
          Atomics.store(helper.state, 0, IDLE)
        } catch (error) {
          failure ??= error
        }
      }
      if (failure) throw failure
    },
    dispose
  }
}

/** [start, end) of each of `parts` nearly equal shares of `total`, starts multiples of `align`. */
export function shares(total: number, parts: number, align = 1): [number, number][] {
  const out: [number, number][] = []
  let start = 0
  for (let p = 0; p < parts; p++) {
    const end =
      p === parts - 1
        ? total
        : Math.min(total, Math.ceil((total * (p + 1)) / parts / align) * align)
    if (end > start) out.push([start, end])
    start = end
  }
  return out
}
