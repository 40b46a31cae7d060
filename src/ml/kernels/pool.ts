import { Worker } from 'node:worker_threads'
import { moduleOf, POOLED, type Arena, type KernelArgs, type PooledKernel } from './runtime'

// Threads that share the kernel calls of one network, over its arena's shared memory. A call is
// cut into small chunks (row ranges) that every thread, the calling one included, takes one at
// a time from a shared counter until none is left; the call returns when every chunk is done.
// A helper thread the OS has descheduled therefore delays a call by at most the one chunk it
// holds, and one that has not woken up yet delays nothing: the others take its chunks. Nothing
// waits for a helper that holds no chunk. (A static split, one share per thread, waited for the
// slowest thread: on a machine with one core kept busy by another process two threads ran at a
// third of one thread's speed.)

export interface Pool {
  /** Threads taking chunks: this one and its helpers. */
  readonly parts: number
  /**
   * Runs kernel K once per argument list in `chunks` (in any order, on any thread); returns when
   * all are done. Each list is typed by K's export (dense-exports.ts).
   */
  run<K extends PooledKernel>(name: K, chunks: readonly KernelArgs<K>[]): void
  /** Chunks run so far in shared calls, and how many of them this thread ran. */
  readonly counts: { chunks: number; here: number }
  dispose(): void
}

// The control block (Int32 slots), then the chunk table (f64: kernel index, argument count,
// arguments), then room for a failure's message (UTF-16).
const GEN = 0 // bumped for each call (helpers sleep on it)
const NEXT = 1 // the next chunk to take; counts up, wrapping, across calls
const END = 2 // one past the current call's last chunk
const DONE = 3 // chunks finished in the current call
const FAILED = 4 // 1 once a chunk failed or a helper died (then the pool stays failed)
const MESSAGE_LENGTH = 5
const QUIT = 6
const SLOTS = 8
/** At most this many chunks per call (a power of two: chunk i sits in slot i & (CAPACITY - 1)). */
export const CAPACITY = 64
const MAX_ARGS = 12
const ENTRY = 2 + MAX_ARGS
const TABLE_AT = SLOTS * 4
const MESSAGE_AT = TABLE_AT + CAPACITY * ENTRY * 8
const MESSAGE_CHARS = 240
/**
 * Spins before sleeping. A helper spins briefly between calls and then sleeps: one that wakes
 * late only takes fewer chunks, and a spinning helper would take a busy core's time from the
 * thread it shares it with. This thread spins a little longer on a helper's last chunk, which
 * is running (it was taken) and small.
 */
const HELPER_SPINS = 2_000
const SPINS = 20_000
const JOIN_TIMEOUT_MS = 120_000

// Takes chunks until the call's last one is taken, running each (`run(slot)`) unless the pool
// has failed; returns how many it finished. Shared, as source, by this thread and the helpers.
// A chunk is taken by compare-and-swap only while NEXT is before END, so a thread that read
// an older call's END takes nothing from a newer call (NEXT only grows; counts wrap at 2^32 and
// are compared by their difference).
const TAKE_SOURCE = `(control, run) => {
  for (let taken = 0; ; taken++) {
    const end = Atomics.load(control, ${END})
    const next = Atomics.load(control, ${NEXT})
    if (((next - end) | 0) >= 0) return taken
    if (Atomics.compareExchange(control, ${NEXT}, next, (next + 1) | 0) !== next) {
      taken--
      continue
    }
    if (Atomics.load(control, ${FAILED}) === 0) run(next & ${CAPACITY - 1})
    Atomics.add(control, ${DONE}, 1)
    Atomics.notify(control, ${DONE})
  }
}`
const take = new Function(`return ${TAKE_SOURCE}`)() as (
  control: Int32Array,
  run: (slot: number) => void
) => number

// Records the first failure (its message) and marks the pool failed.
const FAIL_SOURCE = `(control, message, error) => {
  if (Atomics.compareExchange(control, ${FAILED}, 0, 2) !== 0) return
  const text = String(error && error.message ? error.message : error).slice(0, ${MESSAGE_CHARS})
  for (let i = 0; i < text.length; i++) message[i] = text.charCodeAt(i)
  control[${MESSAGE_LENGTH}] = text.length
  Atomics.store(control, ${FAILED}, 1)
  Atomics.notify(control, ${DONE})
}`
const fail = new Function(`return ${FAIL_SOURCE}`)() as (
  control: Int32Array,
  message: Uint16Array,
  error: unknown
) => void

// A helper: instantiates the module over the shared memory, then sleeps until a call is posted,
// takes chunks until none is left, and sleeps again; it exits when told to quit.
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { module, memory, shared, names, spins } = workerData
const control = new Int32Array(shared, 0, ${SLOTS})
const table = new Float64Array(shared, ${TABLE_AT}, ${CAPACITY * ENTRY})
const message = new Uint16Array(shared, ${MESSAGE_AT}, ${MESSAGE_CHARS})
const take = ${TAKE_SOURCE}
const fail = ${FAIL_SOURCE}
let fns
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports
  fns = names.map((name) => exports[name])
} catch (error) {
  fail(control, message, error)
  process.exit(0)
}
const run = (slot) => {
  const at = slot * ${ENTRY}
  try {
    fns[table[at]](...table.subarray(at + 2, at + 2 + table[at + 1]))
  } catch (error) {
    fail(control, message, error)
  }
}
let seen = Atomics.load(control, ${GEN})
for (;;) {
  take(control, run)
  let spun = 0
  let gen
  while ((gen = Atomics.load(control, ${GEN})) === seen) {
    if (Atomics.load(control, ${QUIT})) process.exit(0)
    if (spun++ < spins) continue
    Atomics.wait(control, ${GEN}, seen)
  }
  seen = gen
  if (Atomics.load(control, ${QUIT})) process.exit(0)
}
`

/** A pool of `parts` threads (this one and parts - 1 helpers) over the arena's memory. */
export function createPool(arena: Arena, parts: number): Pool {
  const shared = new SharedArrayBuffer(MESSAGE_AT + 2 * MESSAGE_CHARS)
  const control = new Int32Array(shared, 0, SLOTS)
  const table = new Float64Array(shared, TABLE_AT, CAPACITY * ENTRY)
  const message = new Uint16Array(shared, MESSAGE_AT, MESSAGE_CHARS)
  const workers: Worker[] = []
  const dispose = (): void => {
    Atomics.store(control, QUIT, 1)
    Atomics.add(control, GEN, 1)
    Atomics.notify(control, GEN)
    for (const worker of workers) void worker.terminate()
  }
  try {
    for (let i = 1; i < parts; i++) {
      const worker = new Worker(HELPER_SOURCE, {
        eval: true,
        workerData: {
          module: moduleOf(arena.build),
          memory: arena.memory,
          shared,
          names: [...POOLED],
          spins: HELPER_SPINS
        }
      })
      // A helper that dies (it cannot run out of memory inside a call: the memory is shared and
      // already allocated) fails the pool, seen when this thread next turns its event loop.
      const died = (reason: string): void => {
        if (Atomics.load(control, QUIT) === 0) fail(control, message, new Error(reason))
      }
      worker.on('error', (error) => died(error.message))
      worker.on('exit', (code) => died(`a kernel thread exited with code ${code}`))
      worker.unref()
      workers.push(worker)
    }
  } catch (error) {
    dispose()
    throw error
  }
  const { kernels } = arena
  // Called with argument lists typed by run()'s K (a boolean argument arrives as 0 or 1).
  const fns = POOLED.map(
    (name) => kernels[name] as (...args: readonly (number | boolean)[]) => void
  )
  const runHere = (slot: number): void => {
    const at = slot * ENTRY
    try {
      fns[table[at]!]!(...table.subarray(at + 2, at + 2 + table[at + 1]!))
    } catch (error) {
      fail(control, message, error)
    }
  }
  const failure = (): Error =>
    new Error(
      `a kernel call failed: ${String.fromCharCode(...message.subarray(0, control[MESSAGE_LENGTH]))}`
    )
  const counts = { chunks: 0, here: 0 }
  return {
    parts,
    counts,
    run(name, chunks) {
      if (Atomics.load(control, FAILED) !== 0) throw failure()
      const index = POOLED.indexOf(name)
      if (workers.length === 0 || chunks.length === 1) {
        // Alone: no table, no counters.
        for (const args of chunks) fns[index]!(...args)
        return
      }
      if (chunks.length > CAPACITY)
        throw new Error(`${chunks.length} chunks for a call (at most ${CAPACITY})`)
      const first = Atomics.load(control, NEXT)
      chunks.forEach((args, c) => {
        if (args.length > MAX_ARGS) throw new Error(`${name} takes at most ${MAX_ARGS} arguments`)
        const at = ((first + c) & (CAPACITY - 1)) * ENTRY
        table[at] = index
        table[at + 1] = args.length
        args.forEach((value, i) => (table[at + 2 + i] = Number(value)))
      })
      Atomics.store(control, DONE, 0)
      // Publishing END opens the chunks to every thread; GEN wakes the sleeping helpers.
      Atomics.store(control, END, (first + chunks.length) | 0)
      Atomics.add(control, GEN, 1)
      Atomics.notify(control, GEN)
      counts.chunks += chunks.length
      counts.here += take(control, runHere)
      // Only chunks a helper has taken and not finished are left: wait for those.
      let spun = 0
      const started = Date.now()
      let done: number
      while ((done = Atomics.load(control, DONE)) < chunks.length) {
        if (spun++ < SPINS) continue
        Atomics.wait(control, DONE, done, 1000)
        if (Date.now() - started > JOIN_TIMEOUT_MS)
          throw new Error('a kernel thread stopped responding')
      }
      if (Atomics.load(control, FAILED) !== 0) throw failure()
    },
    dispose
  }
}

/** How many chunks a pool of `parts` threads cuts a call into: a few per thread. */
export const chunksFor = (parts: number): number => (parts <= 1 ? 1 : Math.min(CAPACITY, 4 * parts))

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
