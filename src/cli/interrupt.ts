import type { TrainControl } from '../ml/train-autoencoder'

// Ctrl+C as a run's stop. Training loops await their control between epochs; a control that
// answers at once never lets Node's event loop turn, and a SIGINT would wait for the end of
// the run. This one yields to the event loop every few dozen milliseconds, so the signal is
// heard and the run in progress stops within a fraction of a second.

const YIELD_EVERY_MS = 40

export interface Interrupt {
  control: TrainControl
  readonly requested: boolean
  dispose(): void
}

export function interruptOnSigint(onStop: () => void): Interrupt {
  let requested = false
  let lastYield = performance.now()
  const handler = (): void => {
    requested = true
    onStop()
  }
  process.once('SIGINT', handler)
  const answer = (): 'stop' | 'continue' => (requested ? 'stop' : 'continue')
  return {
    control: {
      checkpoint: async () => {
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await new Promise<void>((turn) => setImmediate(turn))
          lastYield = performance.now()
        }
        return answer()
      },
      shouldStop: () => requested
    },
    get requested() {
      return requested
    },
    dispose: () => void process.off('SIGINT', handler)
  }
}
