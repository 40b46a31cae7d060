import { ref, shallowRef, type Ref } from 'vue'
import { gridPoints, interpolationPath } from '@shared/latent'
import { gaussian } from '@shared/noise'
import { mulberry32 } from '@shared/random'
import { labClient } from '../api/client'

export interface Decoded {
  point: number[]
  image: number[]
}

/** What exploring a VAE's latent space needs from the store that holds the run. */
interface Context {
  runId: Ref<string | null>
  trained: () => boolean
  latent: () => number
  testSet: () => { points: number[][] } | null
  bounds: () => [[number, number], [number, number]]
  ok: () => void
  fail: (e: unknown) => void
}

/**
 * Exploring the VAE on screen (part of the VAE store): the probe, the decode grid, the
 * interpolation path, samples from the prior and the drawing pad's encoding.
 */
export function useVaeExploration(context: Context) {
  const { runId, latent, ok, fail } = context
  const probe = shallowRef<Decoded | null>(null)
  const gridSize = ref(15)
  const gridSpacing = ref<'even' | 'normal'>('normal')
  const grid = shallowRef<Decoded[]>([])
  const waypoints = ref<number[][]>([])
  const pathSteps = ref(6)
  const path = shallowRef<Decoded[]>([])
  const samples = shallowRef<Decoded[]>([])
  const pad = shallowRef<{ point: number[]; image: number[] } | null>(null)
  let probeToken = 0

  function clearView(): void {
    probe.value = null
    grid.value = []
    waypoints.value = []
    path.value = []
    samples.value = []
    pad.value = null
  }

  /** Thrown away when the screen moved to another run while a request was on its way. */
  class Stale extends Error {}

  async function decode(points: number[][]): Promise<number[][]> {
    const id = runId.value
    if (!id) throw new Error('train a VAE first')
    const { patterns } = await labClient().request('decodeLatent', { runId: id, points })
    if (id !== runId.value) throw new Stale()
    return patterns
  }

  /** Decodes the point (x, y) of the first two latent dimensions (others at 0, the prior's mean). */
  async function probeAt(x: number, y: number): Promise<void> {
    const token = ++probeToken
    const point = Array.from({ length: latent() }, (_, i) => (i === 0 ? x : i === 1 ? y : 0))
    try {
      const [image] = await decode([point])
      if (token === probeToken && image) probe.value = { point, image }
      ok()
    } catch (e) {
      if (!(e instanceof Stale)) fail(e)
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
          : context.bounds()
      const points = gridPoints(latent(), { n, range, spacing: gridSpacing.value })
      const images = await decode(points)
      grid.value = points.map((point, i) => ({ point, image: images[i]! }))
      ok()
    } catch (e) {
      if (!(e instanceof Stale)) fail(e)
    }
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
      ok()
    } catch (e) {
      if (!(e instanceof Stale)) fail(e)
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
      ok()
    } catch (e) {
      if (!(e instanceof Stale)) fail(e)
    }
  }

  async function encodePad(image: number[]): Promise<void> {
    const id = runId.value
    if (!id || !context.trained()) return
    try {
      const result = await labClient().request('encodePatterns', { runId: id, patterns: [image] })
      if (id !== runId.value) return
      pad.value = { point: result.points[0] ?? [], image: result.reconstructions[0] ?? [] }
      ok()
    } catch (e) {
      if (!(e instanceof Stale)) fail(e)
    }
  }

  return {
    probe,
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
