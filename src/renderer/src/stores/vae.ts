import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  vaeTrainConfigSchema,
  type VaeBatchProgress,
  type VaeDone,
  type VaeProgress,
  type VaeTrainConfig,
  CLASS_NAMES
} from '@shared/schemas'
import { gridPoints, interpolationPath, latentBounds } from '@shared/latent'
import { gaussian } from '@shared/noise'
import { mulberry32 } from '@shared/random'
import { labClient } from '../api/client'

export interface Decoded {
  point: number[]
  image: number[]
}

export type VaePhase = 'idle' | 'starting' | 'running' | 'paused' | 'finished'

/** The VAE lab: one run at a time, its live curves, and the exploration of its latent space. */
export const useVaeStore = defineStore('vae', () => {
  const config = ref<VaeTrainConfig>(vaeTrainConfigSchema.parse({ dataset: 'fashion-mnist' }))
  const phase = ref<VaePhase>('idle')
  const runId = ref<string | null>(null)
  const trainedConfig = shallowRef<VaeTrainConfig | null>(null)
  const curve = shallowRef<VaeProgress[]>([])
  const result = shallowRef<VaeDone | null>(null)
  /** The latest report from within an epoch. */
  const batch = shallowRef<VaeBatchProgress | null>(null)
  const fixed = shallowRef<number[][]>([])
  const testSet = shallowRef<{ points: number[][]; labels: number[] } | null>(null)
  const probe = shallowRef<Decoded | null>(null)
  const gridSize = ref(15)
  const gridSpacing = ref<'even' | 'normal'>('normal')
  const grid = shallowRef<Decoded[]>([])
  const waypoints = ref<number[][]>([])
  const pathSteps = ref(6)
  const path = shallowRef<Decoded[]>([])
  const samples = shallowRef<Decoded[]>([])
  const pad = shallowRef<{ point: number[]; image: number[] } | null>(null)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void)[] = []
  let probeToken = 0

  const busy = computed(
    () => phase.value === 'starting' || phase.value === 'running' || phase.value === 'paused'
  )
  const trained = computed(
    () => phase.value === 'finished' && result.value !== null && result.value.epochs > 0
  )
  const classNames = computed(
    () => CLASS_NAMES[trainedConfig.value?.dataset ?? config.value.dataset]
  )
  const bounds = computed<[[number, number], [number, number]]>(() =>
    testSet.value
      ? latentBounds(testSet.value.points, [0, 1], 0.05)
      : [
          [-3, 3],
          [-3, 3]
        ]
  )

  const fail = (e: unknown): void => void (error.value = e instanceof Error ? e.message : String(e))

  function listen(): void {
    if (unsubscribe.length) return
    const client = labClient()
    unsubscribe = [
      client.on('vaeProgress', (p) => {
        if (p.runId !== runId.value) return
        curve.value = [...curve.value, p]
        if (phase.value === 'starting') phase.value = 'running'
      }),
      client.on('vaeBatch', (b) => {
        if (b.runId !== runId.value) return
        batch.value = b
        if (phase.value === 'starting') phase.value = 'running'
      }),
      client.on('vaeDone', (done) => {
        if (done.runId !== runId.value) return
        result.value = done
        phase.value = 'finished'
        if (done.status === 'failed' || done.status === 'diverged') error.value = done.message
        if (done.epochs > 0) void afterTraining()
      })
    ]
  }

  async function start(): Promise<void> {
    if (busy.value) return
    listen()
    error.value = null
    result.value = null
    batch.value = null
    curve.value = []
    testSet.value = null
    probe.value = null
    grid.value = []
    path.value = []
    waypoints.value = []
    samples.value = []
    pad.value = null
    phase.value = 'starting'
    const snapshot = JSON.parse(JSON.stringify(config.value)) as VaeTrainConfig
    trainedConfig.value = snapshot
    try {
      const images = await labClient().request('datasetImages', {
        dataset: snapshot.dataset,
        split: 'test',
        indices: [0, 1, 2, 3, 4, 5, 6, 7]
      })
      fixed.value = images.images.map((img) => img.map((v) => v / 255))
      runId.value = (await labClient().request('startVaeTraining', snapshot)).runId
    } catch (e) {
      phase.value = 'idle'
      fail(e)
    }
  }

  async function control(
    action: 'stopTraining' | 'pauseTraining' | 'resumeTraining'
  ): Promise<void> {
    if (!runId.value) return
    try {
      await labClient().request(action, { runId: runId.value })
      if (action === 'pauseTraining' && phase.value === 'running') phase.value = 'paused'
      if (action === 'resumeTraining' && phase.value === 'paused') phase.value = 'running'
    } catch (e) {
      fail(e)
    }
  }

  /** Shows a VAE run from an opened session as if it had just finished training. */
  async function restore(
    run: { runId: string; config: VaeTrainConfig; curve: VaeProgress[]; result: VaeDone },
    view?: {
      gridSize: number
      spacing: 'even' | 'normal'
      waypoints: number[][]
      pathSteps: number
      probe: number[] | null
    }
  ): Promise<void> {
    listen()
    runId.value = run.runId
    trainedConfig.value = run.config
    config.value = JSON.parse(JSON.stringify(run.config)) as VaeTrainConfig
    curve.value = run.curve
    batch.value = null
    result.value = run.result
    phase.value = 'finished'
    if (view) {
      gridSize.value = view.gridSize
      gridSpacing.value = view.spacing
      pathSteps.value = view.pathSteps
    }
    try {
      const images = await labClient().request('datasetImages', {
        dataset: run.config.dataset,
        split: 'test',
        indices: [0, 1, 2, 3, 4, 5, 6, 7]
      })
      fixed.value = images.images.map((img) => img.map((v) => v / 255))
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

  /** Forgets the current run (a new session). */
  function reset(): void {
    runId.value = null
    trainedConfig.value = null
    curve.value = []
    batch.value = null
    result.value = null
    phase.value = 'idle'
    testSet.value = null
    probe.value = null
    grid.value = []
    waypoints.value = []
    path.value = []
    samples.value = []
    pad.value = null
    fixed.value = []
  }

  async function afterTraining(): Promise<void> {
    try {
      testSet.value = await labClient().request('vaeTestSet', { runId: runId.value! })
      await Promise.all([refreshGrid(), sample(10)])
    } catch (e) {
      fail(e)
    }
  }

  async function decode(points: number[][]): Promise<number[][]> {
    if (!runId.value) throw new Error('train a VAE first')
    return (await labClient().request('decodeLatent', { runId: runId.value, points })).patterns
  }

  const latent = (): number => trainedConfig.value?.latent ?? 2

  /** Decodes the point (x, y) of the first two latent dimensions (others at 0, the prior's mean). */
  async function probeAt(x: number, y: number): Promise<void> {
    const token = ++probeToken
    const point = Array.from({ length: latent() }, (_, i) => (i === 0 ? x : i === 1 ? y : 0))
    try {
      const [image] = await decode([point])
      if (token === probeToken && image) probe.value = { point, image }
    } catch (e) {
      fail(e)
    }
  }

  async function refreshGrid(): Promise<void> {
    try {
      const n = Math.min(30, Math.max(2, Math.round(gridSize.value)))
      const range: [[number, number], [number, number]] =
        gridSpacing.value === 'normal'
          ? [
              [-2.5, 2.5],
              [-2.5, 2.5]
            ]
          : bounds.value
      const points = gridPoints(latent(), { n, range, spacing: gridSpacing.value })
      const images = await decode(points)
      grid.value = points.map((point, i) => ({ point, image: images[i]! }))
    } catch (e) {
      fail(e)
    }
  }

  function addWaypoint(point: readonly number[]): void {
    waypoints.value = [...waypoints.value, [...point]]
    void refreshPath()
  }

  /** Adds the latent mean of a test image (by index) to the path. */
  function addSample(index: number): void {
    const point = testSet.value?.points[index]
    if (point) addWaypoint(point)
  }

  function clearPath(): void {
    waypoints.value = []
    path.value = []
  }

  async function refreshPath(): Promise<void> {
    if (waypoints.value.length < 2) {
      path.value = []
      return
    }
    try {
      const steps = Math.min(20, Math.max(2, Math.round(pathSteps.value)))
      const points: number[][] = []
      waypoints.value.slice(1).forEach((b, i) => {
        const segment = interpolationPath(waypoints.value[i]!, b, steps)
        points.push(...(i === 0 ? segment : segment.slice(1)))
      })
      const images = await decode(points)
      path.value = points.map((point, i) => ({ point, image: images[i]! }))
    } catch (e) {
      fail(e)
    }
  }

  /** Samples from the prior N(0, I), seeded so that the same seed shows the same samples. */
  async function sample(count: number, seed = Date.now() >>> 0): Promise<void> {
    const random = mulberry32(seed)
    const points = Array.from({ length: count }, () =>
      Array.from({ length: latent() }, () => gaussian(random))
    )
    try {
      const images = await decode(points)
      samples.value = points.map((point, i) => ({ point, image: images[i]! }))
    } catch (e) {
      fail(e)
    }
  }

  async function encodePad(image: number[]): Promise<void> {
    if (!runId.value || !trained.value) return
    try {
      const result = await labClient().request('encodePatterns', {
        runId: runId.value,
        patterns: [image]
      })
      pad.value = { point: result.points[0] ?? [], image: result.reconstructions[0] ?? [] }
    } catch (e) {
      fail(e)
    }
  }

  return {
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
    bounds,
    start,
    stop: () => control('stopTraining'),
    pause: () => control('pauseTraining'),
    resume: () => control('resumeTraining'),
    restore,
    reset,
    probeAt,
    refreshGrid,
    addWaypoint,
    addSample,
    clearPath,
    refreshPath,
    sample,
    encodePad
  }
})
