import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  defaultLetterConfig,
  type LetterTrainConfig,
  type TrainingDone,
  type TrainingProgress
} from '@shared/schemas'
import { labClient } from '../api/client'
import { controlRun, type RunPhase } from './run-control'
import { useRunsStore } from './runs'

export type { RunPhase } from './run-control'

/** One letters-training run at a time: its config, live progress and final result. */
export const useTrainingStore = defineStore('training', () => {
  const config = ref<LetterTrainConfig>({
    ...defaultLetterConfig,
    hidden: [...defaultLetterConfig.hidden]
  })
  /** The config of the current or last run, as it was when the run started. */
  const runConfig = shallowRef<LetterTrainConfig | null>(null)
  const phase = ref<RunPhase>('idle')
  const runId = ref<string | null>(null)
  /** [epoch, loss] for the whole run; a shallowRef replaced on each update keeps charts cheap. */
  const lossPoints = shallowRef<[number, number][]>([])
  const progress = shallowRef<TrainingProgress | null>(null)
  const result = shallowRef<TrainingDone | null>(null)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void)[] = []

  const busy = computed(() => phase.value !== 'idle' && phase.value !== 'finished')

  function listen(): void {
    if (unsubscribe.length) return
    const client = labClient()
    unsubscribe = [
      client.on('runProgress', (p) => {
        if (p.runId !== runId.value || !('points' in p)) return
        progress.value = p
        if (p.points.length) lossPoints.value = lossPoints.value.concat(p.points)
        if (phase.value === 'running' || phase.value === 'paused')
          phase.value = p.paused ? 'paused' : 'running'
      }),
      client.on('runDone', (done) => {
        if (done.runId !== runId.value || !('glyphs' in done)) return
        result.value = done
        if (runConfig.value && done.glyphs.length > 0) {
          useRunsStore().add({
            runId: done.runId,
            config: runConfig.value,
            lossPoints: lossPoints.value,
            result: done
          })
        }
        phase.value = 'finished'
        if (done.status === 'failed' || done.status === 'diverged') error.value = done.message
      }),
      client.on('runFailed', (failed) => {
        if (failed.runId !== runId.value) return
        phase.value = 'finished'
        error.value = failed.message
      })
    ]
  }

  async function start(): Promise<void> {
    if (busy.value) return
    listen()
    error.value = null
    result.value = null
    progress.value = null
    lossPoints.value = []
    phase.value = 'starting'
    // A plain deep copy: reactive proxies cannot be structured-cloned across Electron IPC.
    const snapshot = JSON.parse(JSON.stringify(config.value)) as LetterTrainConfig
    runConfig.value = snapshot
    try {
      // A run on noisy copies of the glyphs is a denoising autoencoder's.
      const { noise } = snapshot
      const reply = await labClient().request(
        'startRun',
        noise ? { ...snapshot, kind: 'denoising', noise } : { ...snapshot, kind: 'autoencoder' }
      )
      runId.value = reply.runId
      if (phase.value === 'starting') phase.value = 'running'
    } catch (e) {
      phase.value = 'idle'
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  const fail = (e: unknown): void => void (error.value = e instanceof Error ? e.message : String(e))
  const stop = (): Promise<void> => controlRun('stopRun', runId.value, phase, fail)
  const pause = (): Promise<void> => controlRun('pauseRun', runId.value, phase, fail)
  const resume = (): Promise<void> => controlRun('resumeRun', runId.value, phase, fail)

  function dispose(): void {
    unsubscribe.forEach((u) => u())
    unsubscribe = []
  }

  return {
    config,
    runConfig,
    phase,
    runId,
    lossPoints,
    progress,
    result,
    error,
    busy,
    start,
    stop,
    pause,
    resume,
    dispose
  }
})
