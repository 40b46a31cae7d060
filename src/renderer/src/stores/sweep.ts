import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { kindFamily, type Experiment } from '@shared/experiments'
import type { RunDone, RunProgress } from '@shared/run-protocol'
import {
  letterTrainConfigSchema,
  vaeTrainConfigSchema,
  type VaeProgress,
  type TrainingDone,
  type VaeDone
} from '@shared/schemas'
import { sweepTimeLeft, taggedRuns, type SweepSpecInput, parseSweepSpec } from '@shared/sweep'
import { sweepTables, type SweepRunResult, type SweepTable } from '@shared/sweep-results'
import type { Study } from '@shared/studies'
import { i18n } from '../i18n'
import { labClient } from '../api/client'
import { useRunsStore } from './runs'
import { useVaeRunsStore } from './vae-runs'

// A sweep in the app: its runs queue in the training worker one after another (each through
// `startRun`, as any run), with overall progress and time left; Stop stops the run in progress
// and starts no other, and the finished runs stay in the session, grouped by the sweep tag
// each carries in its experiment. The results come from the session's runs, so a reopened
// session shows its sweeps again.

export type SweepPhase = 'idle' | 'running' | 'stopping' | 'finished'

type Outcome = { done: RunDone } | { failed: string }

export const useSweepStore = defineStore('sweep', () => {
  const runs = useRunsStore()
  const vaeRuns = useVaeRunsStore()

  const phase = ref<SweepPhase>('idle')
  const name = ref<string | null>(null)
  /** The study the sweep runs, if it came from the gallery. */
  const study = shallowRef<Study | null>(null)
  const planned = ref(0)
  /** Runs started so far (the one in progress included). */
  const started = ref(0)
  const runId = ref<string | null>(null)
  const error = ref<string | null>(null)
  /** Where the run in progress is, from 0 to 1, and since when it runs. */
  const fraction = ref(0)
  const runStartedAt = ref(0)
  const now = ref(0)
  const finishedSeconds = ref<number[]>([])
  let stopRequested = false
  let settle: ((outcome: Outcome) => void) | null = null
  let points: [number, number][] = []
  let curve: VaeProgress[] = []
  let unsubscribe: (() => void)[] = []

  const running = computed(() => phase.value === 'running' || phase.value === 'stopping')
  const timeLeft = computed(() =>
    running.value
      ? sweepTimeLeft(finishedSeconds.value, Math.max(0, planned.value - started.value), {
          elapsed: Math.max(0, (now.value - runStartedAt.value) / 1000),
          fraction: fraction.value
        })
      : null
  )
  /** Overall progress, from 0 to 1. */
  const progress = computed(() =>
    planned.value ? (Math.max(0, started.value - 1) + fraction.value) / planned.value : 0
  )

  /** Every sweep among the session's runs, as results tables. */
  const tables = computed<SweepTable[]>(() => {
    const results: SweepRunResult[] = []
    for (const r of runs.runs)
      if (r.sweep) results.push({ runId: r.runId, sweep: r.sweep, outcome: r.result })
    for (const r of vaeRuns.runs)
      if (r.sweep) results.push({ runId: r.runId, sweep: r.sweep, outcome: r.result })
    return sweepTables(results)
  })

  function listen(): void {
    if (unsubscribe.length) return
    const client = labClient()
    unsubscribe = [
      client.on('runProgress', (p) => {
        if (p.runId !== runId.value) return
        onProgress(p)
      }),
      client.on('runDone', (done) => outcomeOf(done.runId, { done })),
      client.on('runFailed', (failed) => outcomeOf(failed.runId, { failed: failed.message }))
    ]
  }

  /** Outcomes of runs not (yet) known as the sweep's: `startRun` may answer after its run ended. */
  const unclaimed = new Map<string, Outcome>()
  function outcomeOf(id: string, outcome: Outcome): void {
    if (id === runId.value) settle?.(outcome)
    else if (settle) {
      unclaimed.set(id, outcome)
      if (unclaimed.size > 8) unclaimed.delete(unclaimed.keys().next().value!)
    }
  }

  function onProgress(p: RunProgress): void {
    now.value = performance.now()
    if ('points' in p) {
      if (p.points.length) points = points.concat(p.points)
      const epochs = current?.epochs ?? 1
      fraction.value = Math.min(1, p.epoch / epochs)
    } else if (p.at === 'epoch') {
      curve = [...curve, p]
      fraction.value = p.epoch / p.epochs
    } else {
      fraction.value = (p.epoch - 1 + p.batch / p.batches) / p.epochs
    }
  }

  let current: Experiment | null = null

  /** Expands a sweep and runs it; resolves when it has ended (finished, stopped or failed). */
  async function start(spec: SweepSpecInput, from: Study | null = null): Promise<void> {
    if (running.value) return
    error.value = null
    let queue: Experiment[]
    try {
      queue = taggedRuns(parseSweepSpec(spec))
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return
    }
    listen()
    study.value = from
    name.value = queue[0]?.sweep?.name ?? null
    planned.value = queue.length
    started.value = 0
    finishedSeconds.value = []
    stopRequested = false
    phase.value = 'running'
    const ticker = setInterval(() => (now.value = performance.now()), 500)
    try {
      for (const experiment of queue) {
        if (stopRequested) break
        const outcome = await runOne(experiment)
        if ('failed' in outcome) {
          error.value = i18n.global.t('sweep.panel.runFailed', {
            started: started.value,
            planned: planned.value,
            message: outcome.failed
          })
          break
        }
        keep(experiment, outcome.done)
        if (outcome.done.status !== 'stopped')
          finishedSeconds.value = [...finishedSeconds.value, outcome.done.seconds]
      }
    } finally {
      clearInterval(ticker)
      runId.value = null
      phase.value = 'finished'
    }
  }

  async function runOne(experiment: Experiment): Promise<Outcome> {
    current = experiment
    points = []
    curve = []
    fraction.value = 0
    started.value++
    runStartedAt.value = performance.now()
    now.value = runStartedAt.value
    unclaimed.clear()
    let pendingId: string
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve))
    try {
      const reply = await labClient().request(
        'startRun',
        JSON.parse(JSON.stringify(experiment)) as Experiment
      )
      pendingId = reply.runId
      runId.value = pendingId
    } catch (e) {
      settle = null
      return { failed: e instanceof Error ? e.message : String(e) }
    }
    // A stop asked while the run was starting reaches it now.
    if (stopRequested)
      void labClient()
        .request('stopRun', { runId: pendingId })
        .catch(() => {})
    const early = unclaimed.get(pendingId)
    const result = early ?? (await outcome)
    settle = null
    return result
  }

  /** A finished run of the sweep joins the session's runs (not the comparison: there may be many). */
  function keep(experiment: Experiment, done: RunDone): void {
    if (!experiment.sweep) return
    if (kindFamily[experiment.kind] === 'glyphs' && 'glyphs' in done) {
      if (done.glyphs.length === 0) return
      const {
        kind: _k,
        name: _n,
        sweep: _s,
        fontFile: _f,
        ...config
      } = experiment as Extract<Experiment, { kind: 'autoencoder' | 'denoising' }>
      runs.add(
        {
          runId: done.runId,
          config: letterTrainConfigSchema.parse(config),
          lossPoints: points,
          result: done as TrainingDone,
          sweep: experiment.sweep
        },
        { compare: false }
      )
    } else if (experiment.kind === 'vae' && done.epochs > 0) {
      const { kind: _k, name: _n, sweep: _s, ...config } = experiment
      vaeRuns.add({
        runId: done.runId,
        kind: 'vae',
        config: vaeTrainConfigSchema.parse(config),
        curve,
        result: done as VaeDone,
        sweep: experiment.sweep
      })
    }
  }

  /** Stops the run in progress (within about a second) and starts no other. */
  async function stop(): Promise<void> {
    if (!running.value) return
    stopRequested = true
    phase.value = 'stopping'
    if (runId.value)
      await labClient()
        .request('stopRun', { runId: runId.value })
        .catch(() => undefined)
  }

  function dispose(): void {
    unsubscribe.forEach((u) => u())
    unsubscribe = []
  }

  return {
    phase,
    name,
    study,
    planned,
    started,
    runId,
    error,
    running,
    timeLeft,
    progress,
    tables,
    start,
    stop,
    dispose
  }
})
