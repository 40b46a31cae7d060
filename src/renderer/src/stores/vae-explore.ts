import { ref, shallowRef, watch, type Ref } from 'vue'
import { samplePoints } from '@shared/latent'
import { mulberry32 } from '@shared/random'
import { labClient } from '../api/client'
import { useLatentExplorer, type Decoded } from '../composables/latent-explorer'
import { useLatentProjection } from '../composables/latent-projection'

export type { Decoded } from '../composables/latent-explorer'

/** What exploring a VAE's latent space needs from the store that holds the run. */
interface Context {
  runId: Ref<string | null>
  trained: () => boolean
  latent: () => number
  testSet: () => { points: number[][] } | null
  bounds: () => [[number, number], [number, number]]
  /** A conditional VAE's class to decode and encode for (undefined: the run takes none). */
  label: () => number | undefined
  ok: () => void
  fail: (e: unknown) => void
}

/** The range a grid spaced by the prior's quantiles covers (most of N(0, 1)'s mass). */
const PRIOR_RANGE: [[number, number], [number, number]] = [
  [-2.5, 2.5],
  [-2.5, 2.5]
]

/**
 * Exploring the VAE on screen (part of the VAE store): the probe, the decode grid and the
 * interpolation path (the latent explorer every lab uses), samples from the prior and the
 * drawing pad's encoding.
 */
export function useVaeExploration(context: Context) {
  const { runId, latent, ok, fail } = context
  const withLabel = (): { labels?: number[] } => {
    const label = context.label()
    return label === undefined ? {} : { labels: [label] }
  }
  const decode = async (id: string, points: number[][]): Promise<number[][]> =>
    (await labClient().request('decodeLatent', { runId: id, points, ...withLabel() })).patterns
  // Wider than 2: the test set's codes as z1 and z2, or their PCA or UMAP projection.
  const plane = useLatentProjection({
    runId: () => runId.value,
    latentSize: latent,
    codes: () => context.testSet()?.points ?? [],
    dims: () => [0, 1]
  })
  const explore = useLatentExplorer({
    runId: () => runId.value,
    latentSize: latent,
    dims: () => [0, 1],
    // The other dimensions at the prior's mean.
    base: () => [],
    lift: plane.lift,
    decode,
    noRun: 'train a VAE first',
    ok,
    fail
  })
  const { probe, grid, path, traversal } = explore
  /** Where the probe is on the plane on screen (z1 and z2, or a projection's point). */
  const probePlane = shallowRef<[number, number] | null>(null)
  async function probeAt(x: number, y: number): Promise<void> {
    probePlane.value = [x, y]
    await explore.probeAt(x, y)
  }
  watch([runId, plane.shown], () => {
    probe.value = null
    probePlane.value = null
  })
  const traversalSteps = ref(9)
  /** Each dimension from -3 to 3 (the prior's range), around the probe or the prior's mean. */
  async function refreshTraversal(): Promise<void> {
    if (!context.trained()) return
    const center = probe.value?.point ?? new Array<number>(latent()).fill(0)
    const steps = Math.min(15, Math.max(3, Math.round(traversalSteps.value) || 9))
    await explore.refreshTraversal(
      center,
      center.map(() => [-3, 3] as [number, number]),
      steps
    )
  }
  watch([runId, probe, traversalSteps, context.trained], () => void refreshTraversal())
  const gridSize = ref(15)
  const gridSpacing = ref<'even' | 'normal'>('normal')
  const waypoints = ref<number[][]>([])
  const pathSteps = ref(6)
  const samples = shallowRef<Decoded[]>([])
  /** The seed of the samples on screen (drawn again when a conditional VAE's class changes). */
  let sampleSeed = 0
  /** The drawing last encoded (encoded again for another class). */
  let padImage: number[] | null = null
  const pad = shallowRef<{ point: number[]; image: number[] } | null>(null)

  function clearView(): void {
    explore.clear()
    waypoints.value = []
    samples.value = []
    pad.value = null
    padImage = null
  }

  async function refreshGrid(): Promise<void> {
    const n = Math.min(30, Math.max(2, Math.round(gridSize.value)))
    const range = gridSpacing.value === 'normal' ? PRIOR_RANGE : context.bounds()
    await explore.refreshGrid({ n, range, spacing: gridSpacing.value })
  }

  function addWaypoint(point: readonly number[]): void {
    waypoints.value = [...waypoints.value, [...point]]
    void refreshPath()
  }

  /** Adds the latent mean of a test image (by index) to the path. */
  function addSample(index: number): void {
    const point = context.testSet()?.points[index]
    if (point) addWaypoint(point)
  }

  function clearPath(): void {
    waypoints.value = []
    void explore.refreshPath([], 2)
  }

  async function refreshPath(): Promise<void> {
    const steps = Math.min(20, Math.max(2, Math.round(pathSteps.value)))
    await explore.refreshPath(waypoints.value, steps)
  }

  /** Samples from the prior N(0, I), seeded so that the same seed shows the same samples. */
  async function sample(count: number, seed = Date.now() >>> 0): Promise<void> {
    const id = runId.value
    if (!id) return fail(new Error('train a VAE first'))
    sampleSeed = seed
    const points = samplePoints(count, latent(), mulberry32(seed))
    try {
      const patterns = await decode(id, points)
      if (id !== runId.value) return
      samples.value = points.map((point, i) => ({ point, pattern: patterns[i]! }))
      ok()
    } catch (e) {
      if (id === runId.value) fail(e)
    }
  }

  async function encodePad(image: number[]): Promise<void> {
    padImage = image
    const id = runId.value
    if (!id || !context.trained()) return
    try {
      const result = await labClient().request('encodePatterns', {
        runId: id,
        patterns: [image],
        ...withLabel()
      })
      if (id !== runId.value) return
      pad.value = { point: result.points[0] ?? [], image: result.reconstructions[0] ?? [] }
      ok()
    } catch (e) {
      if (id === runId.value) fail(e)
    }
  }

  /** A conditional VAE's class changed: the probe, grid, path, samples and pad decode again. */
  async function redecode(): Promise<void> {
    const at = probe.value?.point
    await Promise.all([
      at ? probeAt(at[0] ?? 0, at[1] ?? 0) : Promise.resolve(),
      refreshGrid(),
      refreshPath(),
      refreshTraversal(),
      samples.value.length ? sample(samples.value.length, sampleSeed) : Promise.resolve(),
      padImage ? encodePad(padImage) : Promise.resolve()
    ])
  }

  return {
    redecode,
    probe,
    probePlane,
    plane,
    traversal,
    traversalSteps,
    refreshTraversal,
    gridSize,
    gridSpacing,
    grid,
    waypoints,
    pathSteps,
    path,
    samples,
    pad,
    clearView,
    probeAt,
    refreshGrid,
    addWaypoint,
    addSample,
    clearPath,
    refreshPath,
    sample,
    encodePad
  }
}
