import { availableParallelism } from 'node:os'

// How many threads the engine computes with, by workload. Kept free of tfjs so that hosts can
// read it without loading the engine.

/** At most this many threads: tfjs's wasm build caps its pool at 8. */
export const MAX_WASM_THREADS = 8

/** Threads for the image models by default: every core the process may use, at most 8. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, availableParallelism()))
}

/**
 * Threads for a kind of run, unless a number is asked for. The glyph networks (35 inputs, 32 patterns) run about 60 tiny
 * kernels per epoch, and waking a second thread for each costs more than it saves: an epoch took
 * 0.84 ms on two threads against 0.67 ms on one (measured here). The VAE's 784-wide products
 * are where threads pay: 13.4 against 16.5 ms per batch of 128.
 */
export function threadsFor(kind: 'glyphs' | 'images', requested?: number): number {
  return requested ?? (kind === 'glyphs' ? 1 : defaultWasmThreads())
}
