import type { Model } from '../ml/inference'
import type { TrainControl } from '../ml/train-autoencoder'
import { networksOf } from '../services/experiments'
import { Control, type FromWorker } from '../services/worker-protocol'

// Pause, stop and checkpoints of the run in progress, checked between epochs and between slices
// of a long epoch (letters), or between slices of a batch (VAE). The training loop never yields
// on its own, so the check also hands the worker's event loop a turn now and then: requests
// (export, decode, save, import) are answered while a run trains, and while it is paused.

/** The longest stretch of training without a turn of the event loop. */
const YIELD_EVERY_MS = 20
/** While paused, how often the control word is looked at (requests are served meanwhile). */
const PAUSE_POLL_MS = 25

let lastYield = performance.now()

/** A macrotask turn: messages that arrived meanwhile are handled before training goes on. */
export function yieldToEventLoop(): Promise<void> {
  lastYield = performance.now()
  return new Promise((resolve) => setImmediate(resolve))
}

/** Posts a run's weights every few seconds while it trains (set up in main). */
export const checkpoints = {
  intervalMs: 15_000,
  post: (_message: FromWorker): void => undefined,
  last: new Map<string, number>(),
  async maybe(runId: string, current: () => Model): Promise<void> {
    const now = performance.now()
    const last = this.last.get(runId)
    if (last === undefined) {
      this.last.set(runId, now)
      return
    }
    if (now - last < this.intervalMs) return
    this.last.set(runId, now)
    this.post({ type: 'checkpoint', runId, networks: await networksOf(current()) })
  }
}

export interface PauseHooks {
  /** Called once when a pause begins and once when it ends (not when it ends in a stop). */
  onPause?: (paused: boolean) => void
}

/** The shared control word as a TrainControl for the run `runId`. */
export function trainControl(
  control: Int32Array,
  runId: string,
  hooks: PauseHooks = {}
): TrainControl {
  const stopped = (): boolean => Atomics.load(control, 0) === Control.stop
  /** A turn of the event loop when one is due, and the wait while paused; then the verdict. */
  const goOn = async (): Promise<'continue' | 'stop'> => {
    if (performance.now() - lastYield >= YIELD_EVERY_MS) await yieldToEventLoop()
    if (Atomics.load(control, 0) === Control.pause) {
      hooks.onPause?.(true)
      while (Atomics.load(control, 0) === Control.pause)
        await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS))
      if (!stopped()) hooks.onPause?.(false)
    }
    return stopped() ? 'stop' : 'continue'
  }
  return {
    checkpoint: async (current) => {
      // A stop needs no checkpoint first (on the largest VAE, exporting weights takes seconds).
      if (stopped()) return 'stop'
      await checkpoints.maybe(runId, current)
      return goOn()
    },
    // Inside an epoch: no checkpoint (the weights are part-way), and nothing to wait for
    // (no promise) unless a turn of the event loop is due or the run is paused.
    between: () => {
      if (stopped()) return 'stop'
      if (
        Atomics.load(control, 0) === Control.run &&
        performance.now() - lastYield < YIELD_EVERY_MS
      )
        return 'continue'
      return goOn()
    },
    shouldStop: stopped
  }
}
