import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  defaultLetterConfig,
  type LetterTrainConfig,
  type TrainingDone,
  type TrainingProgress
} from '@shared/schemas'
import { labClient } from '../api/client'
import { useRunsStore } from './runs'

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'finished'

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
      client.on('trainingProgress', (p) => {
        if (p.runId !== runId.value) return
        progress.value = p
        if (p.points.length) lossPoints.value = lossPoints.value.concat(p.points)
        if (phase.value === 'running' || phase.value === 'paused')
          phase.value = p.paused ? 'paused' : 'running'
      }),
      client.on('trainingDone', (done) => {
        if (done.runId !== runId.value) return
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
      const reply = await labClient().request('startTraining', snapshot)
      runId.value = reply.runId
      if (phase.value === 'starting') phase.value = 'running'
    } catch (e) {
      phase.value = 'idle'
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  async function control(
    action: 'stopTraining' | 'pauseTraining' | 'resumeTraining'
  ): Promise<void> {
    if (!runId.value) return
    try {
      await labClient().request(action, { runId: runId.value })
      if (action === 'stopTraining' && phase.value !== 'finished') phase.value = 'stopping'
      if (action === 'pauseTraining' && phase.value === 'running') phase.value = 'paused'
      if (action === 'resumeTraining' && phase.value === 'paused') phase.value = 'running'
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  const stop = (): Promise<void> => control('stopTraining')
  const pause = (): Promise<void> => control('pauseTraining')
  const resume = (): Promise<void> => control('resumeTraining')

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
