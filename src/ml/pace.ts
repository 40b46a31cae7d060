// Stop and pause inside long computations (issue 13, item 16). A full batch is computed in
// slices of rows; between two slices, once the work done since the last check would pass a
// budget (about a second of arithmetic), the caller's check is asked whether to go on. It may
// pause (its promise resolves on resume, and the computation goes on with the next slice) or
// stop: the computation then throws `Stopped` and is abandoned, and its caller keeps what it had
// before it began. Small computations never reach the budget and never check.

export type Verdict = 'continue' | 'stop'
/** Asked between slices: go on (after a pause, when the promise resolves) or stop. */
export type Check = () => Verdict | Promise<Verdict>

/** Thrown out of a computation that a check stopped. */
export class Stopped extends Error {
  constructor() {
    super('stopped by the user')
    this.name = 'Stopped'
  }
}

export interface Pace {
  /** Floating-point operations between two checks, at most (unless one slice is larger). */
  readonly budget: number
  /**
   * Runs rows [0, total) as slices [r0, r1) of at most `most` rows, in order, each costing
   * `flopsPerRow` a row, and checks between slices as the budget requires; throws `Stopped`.
   */
  rows(
    total: number,
    most: number,
    flopsPerRow: number,
    run: (r0: number, r1: number) => void
  ): Promise<void>
  /** A check was made elsewhere (between epochs): the budget starts afresh. */
  checked(): void
}

/** Hears, after each slice of a computation in more than one, how many of its slices are done. */
export type OnSlice = (done: number, slices: number) => void

/**
 * A pace over `check` (none: never stops, never checks); `onSlice` hears the progress of
 * computations in several slices.
 */
export function createPace(check: Check | undefined, budget: number, onSlice?: OnSlice): Pace {
  let spent = 0
  return {
    budget,
    async rows(total, most, flopsPerRow, run) {
      const slices = Math.ceil(total / most)
      for (let r0 = 0; r0 < total; r0 += most) {
        const r1 = Math.min(total, r0 + most)
        const work = (r1 - r0) * flopsPerRow
        if (check && spent > 0 && spent + work > budget) {
          const verdict = check()
          if ((typeof verdict === 'string' ? verdict : await verdict) === 'stop')
            throw new Stopped()
          spent = 0
        }
        run(r0, r1)
        spent += work
        if (slices > 1) onSlice?.(Math.ceil(r1 / most), slices)
      }
    },
    checked() {
      spent = 0
    }
  }
}

/**
 * Rows per slice so that one slice of `total` rows costs at most `budget` (at `flopsPerRow`):
 * all of them when they fit, else equal slices (the last one may be shorter).
 */
export function rowsPerSlice(total: number, flopsPerRow: number, budget: number): number {
  const fit = Math.max(1, Math.floor(budget / flopsPerRow))
  if (fit >= total) return total
  return Math.ceil(total / Math.ceil(total / fit))
}
