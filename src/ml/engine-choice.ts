// Choosing how to run a model by timing it. Where several engines can run a model's steps (the
// lab's kernels on one thread or several, tfjs ops on tfjs-node's native library), which is
// fastest depends on the model's shape and on the machine at the time: the letters' networks
// are dominated by per-op costs, the VAE by its wide products, and a core kept busy by another
// program can make a second thread a loss. So a run times a few steps of each candidate before
// it starts, and keeps the fastest; the decision is kept per model shape for the process.
// Timing a large model takes seconds, so a stop or a pause is checked between the timings.

import type { Check } from './pace'

/** One way to run the model's training steps. */
export interface EngineCandidate<T> {
  /** What it is, for the note: "the kernels (fma) on 2 threads". */
  label: string
  /** What the caller builds the run with when this candidate is chosen. */
  value: T
  /** Runs `steps` training steps on scratch state (never the run's own); throws if it cannot. */
  run(steps: number): void
  /** Frees what it holds (threads, memory). */
  dispose(): void
}

export interface EngineTiming {
  label: string
  /** Median milliseconds per step, or null with the reason it could not run. */
  msPerStep: number | null
  error?: string
}

export interface EngineDecision<T> {
  /** The chosen candidate's index, label and value. */
  index: number
  label: string
  value: T
  timings: EngineTiming[]
  /** Which engine and why: "the kernels (fma) on 2 threads, timed 8.1 ms per step against ...". */
  note: string
}

/** The caller's check said stop before a decision: `timed` runs of the candidates were done. */
export interface EngineStopped {
  stopped: true
  timed: number
}

export interface TimingOptions {
  steps?: number
  rounds?: number
  now?: () => number
  /** Asked before each run of a candidate: go on (after a pause) or stop. */
  check?: Check
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/**
 * Times each candidate: one untimed warm-up step, then `rounds` rounds of `steps` steps that
 * alternate between the candidates (so that a change in the machine's load touches all of
 * them); picks the lowest median time per step. A lone candidate is not timed. Throws if no
 * candidate runs; stops, with no decision, when `check` says so. Disposes every candidate.
 */
export async function chooseByTiming<T>(
  candidates: readonly EngineCandidate<T>[],
  options: TimingOptions = {}
): Promise<EngineDecision<T> | EngineStopped> {
  const steps = options.steps ?? 2
  const rounds = options.rounds ?? 3
  const now = options.now ?? (() => performance.now())
  try {
    if (candidates.length === 0) throw new Error('no engine can run the model here')
    if (candidates.length === 1) {
      const only = candidates[0]!
      return {
        index: 0,
        label: only.label,
        value: only.value,
        timings: [{ label: only.label, msPerStep: null }],
        note: `${only.label}, the only engine that runs it here`
      }
    }
    const errors: (string | null)[] = candidates.map(() => null)
    const times: number[][] = candidates.map(() => [])
    let timed = 0
    /** Runs `work` for candidate `i` unless it failed before; false when the check says stop. */
    const attempt = async (i: number, work: () => void): Promise<boolean> => {
      if (errors[i] !== null) return true
      if (options.check) {
        const verdict = options.check()
        if ((typeof verdict === 'string' ? verdict : await verdict) === 'stop') return false
      }
      timed++
      try {
        work()
      } catch (error) {
        errors[i] = error instanceof Error ? error.message : String(error)
      }
      return true
    }
    for (const [i, c] of candidates.entries())
      if (!(await attempt(i, () => c.run(1)))) return { stopped: true, timed }
    for (let round = 0; round < rounds; round++)
      for (const [i, c] of candidates.entries()) {
        const went = await attempt(i, () => {
          const started = now()
          c.run(steps)
          times[i]!.push((now() - started) / steps)
        })
        if (!went) return { stopped: true, timed }
      }
    const timings: EngineTiming[] = candidates.map((c, i) =>
      errors[i] === null
        ? { label: c.label, msPerStep: median(times[i]!) }
        : { label: c.label, msPerStep: null, error: errors[i]! }
    )
    let index = -1
    timings.forEach((t, i) => {
      if (t.msPerStep !== null && (index < 0 || t.msPerStep < timings[index]!.msPerStep!)) index = i
    })
    if (index < 0)
      throw new Error(
        `no engine could run the model: ${timings.map((t) => `${t.label}: ${t.error}`).join('; ')}`
      )
    const others = timings
      .filter((_, i) => i !== index)
      .map((t) =>
        t.msPerStep === null
          ? `${t.label} failed (${t.error})`
          : `${t.label} ${t.msPerStep.toFixed(1)} ms`
      )
    const chosen = timings[index]!
    const note =
      `${chosen.label}, timed at ${chosen.msPerStep!.toFixed(1)} ms per step` +
      (others.length ? ` against ${others.join(', ')}` : '')
    return { index, label: chosen.label, value: candidates[index]!.value, timings, note }
  } finally {
    for (const c of candidates) c.dispose()
  }
}

/** Decisions kept for the process, by a key naming the model's shape and the candidates. */
export class EngineChoices<T> {
  private readonly kept = new Map<string, EngineDecision<T>>()

  constructor(private readonly timing: Omit<TimingOptions, 'check'> = {}) {}

  /**
   * The decision for `key`, timing the candidates `build` returns only the first time (a timing
   * that `check` stopped decides nothing, and is not kept).
   */
  async choose(
    key: string,
    build: () => EngineCandidate<T>[],
    check?: Check
  ): Promise<(EngineDecision<T> & { cached: boolean }) | EngineStopped> {
    const known = this.kept.get(key)
    if (known) return { ...known, cached: true }
    const decision = await chooseByTiming(build(), { ...this.timing, check })
    if ('stopped' in decision) return decision
    this.kept.set(key, decision)
    return { ...decision, cached: false }
  }
}
