import type { Ref } from 'vue'
import { labClient } from '../api/client'

// Pause, resume and stop of the run a lab shows: one run protocol for every model kind, so one
// function for every lab's store.

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'finished'
export type RunAction = 'stopRun' | 'pauseRun' | 'resumeRun'

/** Asks the host to stop, pause or resume `runId`; the phase follows once the host agrees. */
export async function controlRun(
  action: RunAction,
  runId: string | null,
  phase: Ref<RunPhase>,
  fail: (error: unknown) => void
): Promise<void> {
  if (!runId) return
  try {
    await labClient().request(action, { runId })
    if (action === 'stopRun' && phase.value !== 'finished') phase.value = 'stopping'
    if (action === 'pauseRun' && phase.value === 'running') phase.value = 'paused'
    if (action === 'resumeRun' && phase.value === 'paused') phase.value = 'running'
  } catch (e) {
    fail(e)
  }
}
