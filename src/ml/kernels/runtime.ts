import { denseFmaWasmBase64 } from './dense-fma-wasm'
import { denseWasmBase64 } from './dense-wasm'
import type { KernelExports } from './dense-exports'

export type { KernelExports }

// The lab's WebAssembly kernels at run time: the compiled module, and one shared memory per
// network with a bump allocator over it. See assembly/dense.ts for the kernels themselves and
// pool.ts for the threads that share a call.
//
// Two builds of the same source: 'fma', with relaxed SIMD's fused multiply-add, picked when this
// runtime validates it (Node 22+, Electron 45; Node 20 only with --experimental-wasm-relaxed-simd),
// and 'plain', 128-bit SIMD only, the fallback. Each is deterministic (the same bits for the same
// inputs, however the work is split between threads); the two may differ in the last bits of a
// product, as a fused multiply-add rounds once where the plain module rounds twice.

// The WebAssembly API, typed here: the node typings' lib (ES2022) does not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** Must match --maximumMemory in scripts/build-kernels.mjs. */
export const MAX_PAGES = 65536
const PAGE = 65536

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
] as const satisfies readonly (keyof KernelExports)[]
export type PooledKernel = (typeof POOLED)[number]
/** One call's arguments for kernel K, as its export declares them (dense-exports.ts). */
export type KernelArgs<K extends keyof KernelExports> = Parameters<KernelExports[K]>

/** Which build of the kernels: with fused multiply-adds (relaxed SIMD) or without. */
export type KernelBuild = 'fma' | 'plain'

const bytesOf: Record<KernelBuild, () => Uint8Array> = {
  fma: () => Buffer.from(denseFmaWasmBase64, 'base64'),
  plain: () => Buffer.from(denseWasmBase64, 'base64')
}
const compiled: Partial<Record<KernelBuild, object>> = {}
/** The compiled module of a build (compiled once per thread). */
export const moduleOf = (build: KernelBuild): object =>
  (compiled[build] ??= new wasmApi.Module(bytesOf[build]()))

let best: KernelBuild | null = null
/** The build this runtime runs: 'fma' where WebAssembly.validate accepts it, else 'plain'. */
export function kernelBuild(): KernelBuild {
  return (best ??= wasmApi.validate(bytesOf.fma()) ? 'fma' : 'plain')
}

const newMemory = (): WasmMemory =>
  new wasmApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })

const instantiate = (memory: WasmMemory, build: KernelBuild): KernelExports =>
  new wasmApi.Instance(moduleOf(build), { env: { memory } }).exports as KernelExports

/** Whether this runtime runs the kernels (WebAssembly with SIMD, threads' shared memory). */
export function kernelsSupported(): boolean {
  if (supported === null) {
    try {
      instantiate(newMemory(), kernelBuild())
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
  readonly build: KernelBuild
  readonly kernels: KernelExports
  readonly memory: WasmMemory
  /** Reserves room for `floats` 32-bit values (16-byte aligned, zeroed); returns the byte offset. */
  reserve(floats: number): number
  /** Grows the memory to cover what was reserved; call before taking views. */
  commit(): void
  f32(at: number, length: number): Float32Array
  f64(at: number, length: number): Float64Array
}

/** An arena on `build` (by default the best this runtime runs). */
export function createArena(build: KernelBuild = kernelBuild()): Arena {
  const memory = newMemory()
  const kernels = instantiate(memory, build)
  // The module has no data of its own; keep the first page free all the same.
  let top = PAGE
  return {
    build,
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
