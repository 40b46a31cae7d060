import type { TrainControl } from '../ml/train-autoencoder'
import { Control } from './protocol'

// Pause and stop of the run in progress, checked between epochs and between slices of a long
// epoch (letters), or between slices of a batch (VAE). The training loop never yields on its
// own, so the check also hands the worker's event loop a turn now and then: requests (export,
// decode, save, import) are answered while a run trains, and while it is paused. Checkpoints are
// the run driver's (run-job.ts).

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

/**
 * The shared control word as a TrainControl; `onPause` hears once when a pause begins and once
 * when it ends (not when it ends in a stop).
 */
export function trainControl(
  control: Int32Array,
  onPause: (paused: boolean) => void = () => undefined
): TrainControl {
  const stopped = (): boolean => Atomics.load(control, 0) === Control.stop
  /** A turn of the event loop when one is due, and the wait while paused; then the verdict. */
  const goOn = async (): Promise<'continue' | 'stop'> => {
    if (performance.now() - lastYield >= YIELD_EVERY_MS) await yieldToEventLoop()
    if (Atomics.load(control, 0) === Control.pause) {
      onPause(true)
      while (Atomics.load(control, 0) === Control.pause)
        await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS))
      if (!stopped()) onPause(false)
    }
    return stopped() ? 'stop' : 'continue'
  }
  return {
    checkpoint: () => (stopped() ? 'stop' : goOn()),
    // Inside an epoch: nothing to wait for (no promise) unless a turn of the event loop is due
    // or the run is paused.
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
