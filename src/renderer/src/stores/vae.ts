import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  vaeTrainConfigSchema,
  type VaeBatchProgress,
  type VaeDone,
  type VaeProgress,
  type VaeTrainConfig
} from '@shared/schemas'
import { inFamily } from '@shared/experiments'
import { latentBounds } from '@shared/latent'
import { labClient } from '../api/client'
import { controlRun, type RunPhase } from './run-control'
import { useVaeExploration } from './vae-explore'
import { useVaeClasses } from './vae-classes'
import { useVaeData } from './vae-data'
import { useVaeRunsStore, type VaeRun } from './vae-runs'
import { experimentFor, useConvSettings, type VaeModelKind } from './vae-conv'

export type VaePhase = RunPhase
export type { VaeModelKind } from './vae-conv'

/** The view of a VAE run saved with a session. */
export interface VaeView {
  gridSize: number
  spacing: 'even' | 'normal'
  waypoints: number[][]
  pathSteps: number
  probe: number[] | null
}

/**
 * The VAE lab: one run trains at a time, with live curves; the run on screen (the training one,
 * or a kept one selected in the list) and the exploration of its latent space.
 */
export const useVaeStore = defineStore('vae', () => {
  const vaeRuns = useVaeRunsStore()
  const config = ref<VaeTrainConfig>(vaeTrainConfigSchema.parse({ dataset: 'fashion-mnist' }))
  const phase = ref<VaePhase>('idle')
  const runId = ref<string | null>(null)
  const trainedConfig = shallowRef<VaeTrainConfig | null>(null)
  /** The model to train next, and the one on screen. */
  const model = ref<VaeModelKind>('vae')
  const trainedModel = ref<VaeModelKind>('vae')
  const curve = shallowRef<VaeProgress[]>([])
  const result = shallowRef<VaeDone | null>(null)
  /** The latest report from within an epoch. */
  const batch = shallowRef<VaeBatchProgress | null>(null)
  const fixed = shallowRef<number[][]>([])
  const testSet = shallowRef<{ points: number[][]; labels: number[] } | null>(null)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void)[] = []

  const busy = computed(
    () =>
      phase.value === 'starting' ||
      phase.value === 'running' ||
      phase.value === 'paused' ||
      phase.value === 'stopping'
  )
  const trained = computed(() => phase.value === 'finished' && (result.value?.epochs ?? 0) > 0)
  const bounds = computed<[[number, number], [number, number]]>(() =>
    testSet.value
      ? latentBounds(testSet.value.points, [0, 1], 0.05)
      : [
          [-3, 3],
          [-3, 3]
        ]
  )

  const fail = (e: unknown): void => void (error.value = e instanceof Error ? e.message : String(e))
  /** A request that succeeded: an earlier failure no longer stands. */
  const ok = (): void => void (error.value = null)
  const { datasets, loadDatasets, classNames, classLabels, testImage, fixedImages, imageShape } =
    useVaeData({
      dataset: () => trainedConfig.value?.dataset ?? config.value.dataset,
      fail
    })
  const { conv, trainedConv, convIssues } = useConvSettings({
    config: () => config.value,
    datasets: () => datasets.value
  })
  const { label, classGrid, conditional, pickLabel, refreshClassGrid } = useVaeClasses({
    runId,
    trainedModel,
    classNames,
    point: () => probe.value?.point ?? new Array<number>(trainedConfig.value?.latent ?? 2).fill(0),
    redecode: () => explore.redecode(),
    ok,
    fail
  })
  const explore = useVaeExploration({
    runId,
    trained: () => trained.value,
    latent: () => trainedConfig.value?.latent ?? 2,
    testSet: () => testSet.value,
    bounds: () => bounds.value,
    label: () => (conditional.value ? label.value : undefined),
    ok,
    fail
  })
  const { probe, gridSize, gridSpacing, grid, waypoints, pathSteps, path, samples, pad } = explore
  const { probeAt, refreshGrid, refreshPath, sample, clearView } = explore

  function listen(): void {
    if (unsubscribe.length) return
    const client = labClient()
    unsubscribe = [
      client.on('runProgress', (p) => {
        if (p.runId !== runId.value || !inFamily('images', p)) return
        if (p.at === 'epoch') curve.value = [...curve.value, p]
        else batch.value = p
        if (phase.value === 'starting') phase.value = 'running'
      }),
      client.on('runFailed', (failed) => {
        if (failed.runId !== runId.value) return
        phase.value = 'finished'
        error.value = failed.message
      }),
      client.on('runDone', (done) => {
        if (done.runId !== runId.value || !inFamily('images', done)) return
        result.value = done
        phase.value = 'finished'
        if (done.status === 'failed' || done.status === 'diverged') error.value = done.message
        if (done.epochs > 0 && done.status !== 'failed' && trainedConfig.value)
          vaeRuns.add({
            runId: done.runId,
            kind: trainedModel.value,
            config: trainedConfig.value,
            ...(trainedConv.value ? { conv: trainedConv.value } : {}),
            curve: curve.value,
            result: done
          })
        if (done.epochs > 0) void afterTraining()
      })
    ]
  }

  async function start(): Promise<void> {
    if (busy.value || (model.value === 'conv-vae' && convIssues.value.length > 0)) return
    listen()
    error.value = null
    result.value = null
    batch.value = null
    curve.value = []
    clearView()
    phase.value = 'starting'
    const snapshot = JSON.parse(JSON.stringify(config.value)) as VaeTrainConfig
    trainedConfig.value = snapshot
    trainedModel.value = model.value
    trainedConv.value = model.value === 'conv-vae' ? { ...conv.value } : null
    classGrid.value = null
    label.value = 0
    try {
      fixed.value = await fixedImages(snapshot.dataset)
      const experiment = experimentFor(model.value, snapshot, conv.value)
      runId.value = (await labClient().request('startRun', experiment)).runId
    } catch (e) {
      phase.value = 'idle'
      fail(e)
    }
  }

  /** Puts a kept run on screen as if it had just finished training (with a saved view, if any). */
  async function show(run: Omit<VaeRun, 'label' | 'color'>, view?: VaeView): Promise<void> {
    listen()
    clearView()
    runId.value = run.runId
    trainedConfig.value = run.config
    trainedModel.value = run.kind
    model.value = run.kind
    trainedConv.value = run.conv ?? null
    if (run.conv) conv.value = { ...run.conv, filters: [...run.conv.filters] }
    classGrid.value = null
    config.value = JSON.parse(JSON.stringify(run.config)) as VaeTrainConfig
    curve.value = run.curve
    batch.value = null
    result.value = run.result
    phase.value = 'finished'
    error.value = null
    if (view) {
      gridSize.value = view.gridSize
      gridSpacing.value = view.spacing
      pathSteps.value = view.pathSteps
    }
    try {
      fixed.value = await fixedImages(run.config.dataset)
      await afterTraining()
      if (view?.waypoints.length) {
        waypoints.value = view.waypoints
        await refreshPath()
      }
      if (view?.probe) await probeAt(view.probe[0] ?? 0, view.probe[1] ?? 0)
    } catch (e) {
      fail(e)
    }
  }

  /** Explores a kept run (not while one trains: the screen follows the training run). */
  async function select(id: string): Promise<void> {
    const run = vaeRuns.runs.find((r) => r.runId === id)
    if (!run || busy.value || id === runId.value) return
    await show(run)
  }

  /** Removes a kept run; the screen moves to the last one left. */
  async function removeRun(id: string): Promise<void> {
    vaeRuns.remove(id)
    if (id !== runId.value || busy.value) return
    const last = vaeRuns.runs.at(-1)
    if (last) await show(last)
    else reset()
  }

  /** Forgets the runs (a new session). */
  function reset(): void {
    runId.value = null
    trainedConfig.value = null
    trainedModel.value = 'vae'
    trainedConv.value = null
    classGrid.value = null
    curve.value = []
    batch.value = null
    result.value = null
    phase.value = 'idle'
    error.value = null
    clearView()
    fixed.value = []
    vaeRuns.clear()
  }

  async function afterTraining(): Promise<void> {
    try {
      const id = runId.value!
      const codes = await labClient().request('vaeTestSet', { runId: id })
      // The screen may have moved to another run meanwhile: that one brings its own.
      if (id !== runId.value) return
      testSet.value = codes
      ok()
      await Promise.all([refreshGrid(), sample(10), refreshClassGrid()])
    } catch (e) {
      fail(e)
    }
  }

  return {
    model,
    trainedModel,
    conv,
    trainedConv,
    convIssues,
    imageShape,
    conditional,
    label,
    classGrid,
    pickLabel,
    refreshClassGrid,
    config,
    phase,
    runId,
    trainedConfig,
    curve,
    result,
    batch,
    fixed,
    testSet,
    probe,
    gridSize,
    gridSpacing,
    grid,
    waypoints,
    pathSteps,
    path,
    samples,
    pad,
    error,
    busy,
    trained,
    classNames,
    classLabels,
    datasets,
    loadDatasets,
    bounds,
    start,
    testImage,
    stop: () => controlRun('stopRun', runId.value, phase, fail),
    pause: () => controlRun('pauseRun', runId.value, phase, fail),
    resume: () => controlRun('resumeRun', runId.value, phase, fail),
    show,
    select,
    removeRun,
    reset,
    probeAt,
    refreshGrid,
    addWaypoint: explore.addWaypoint,
    addSample: explore.addSample,
    clearPath: explore.clearPath,
    refreshPath,
    sample,
    encodePad: explore.encodePad,
    traversal: explore.traversal,
    probePlane: explore.probePlane,
    view: explore.plane.view,
    shown: explore.plane.shown,
    projection: explore.plane.projection,
    planePoints: explore.plane.planePoints,
    projecting: explore.plane.loading,
    projectionError: explore.plane.error,
    traversalSteps: explore.traversalSteps
  }
})
