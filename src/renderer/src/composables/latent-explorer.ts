import { shallowRef } from 'vue'
import { gridPoints, latentPath, type GridSpec } from '@shared/latent'

/** A latent point and what the decoder makes of it (pixel values in [0, 1]). */
export interface Decoded {
  point: number[]
  pattern: number[]
}

/** What exploring a run's latent space needs from the store that holds the run. */
export interface ExplorerSource {
  /** The run on screen (null: none yet). */
  runId: () => string | null
  latentSize: () => number
  /** The two latent dimensions on screen. */
  dims: () => [number, number]
  /** Where the other dimensions sit (the glyphs' mean code; a VAE's prior mean, 0). */
  base: () => readonly number[]
  /**
   * When the plane on screen is a projection (PCA, UMAP) of a wider latent space: the full code
   * a point (x, y) of it stands for (null: the plane is two of the dimensions).
   */
  lift?: (x: number, y: number) => number[] | null
  /** Decodes points with the run's decoder (the store's request to the lab). */
  decode: (runId: string, points: number[][]) => Promise<number[][]>
  /** Said when there is no run to decode with ("train a network first"); a function is asked then (the interface's language then). */
  noRun: string | (() => string)
  ok: () => void
  fail: (e: unknown) => void
}

/**
 * Exploring a latent space, the same for every lab: the probe (a point of the plane decoded),
 * the decode grid and interpolation paths. Only the latest request of each kind counts, and
 * an answer for a run no longer on screen is dropped.
 */
export function useLatentExplorer(source: ExplorerSource) {
  const probe = shallowRef<Decoded | null>(null)
  const grid = shallowRef<Decoded[]>([])
  const path = shallowRef<Decoded[]>([])
  /** One row per latent dimension: that dimension varied around a point, the others held. */
  const traversal = shallowRef<Decoded[][]>([])
  const tokens = { probe: 0, grid: 0, path: 0, traversal: 0 }

  /** Decodes `points` for the request `kind`; null when a later request or another run took over. */
  async function decodeLatest(
    kind: keyof typeof tokens,
    points: number[][]
  ): Promise<Decoded[] | null> {
    const token = ++tokens[kind]
    const runId = source.runId()
    try {
      if (!runId)
        throw new Error(typeof source.noRun === 'function' ? source.noRun() : source.noRun)
      const patterns = await source.decode(runId, points)
      if (token !== tokens[kind] || runId !== source.runId()) return null
      source.ok()
      return points.map((point, i) => ({ point, pattern: patterns[i]! }))
    } catch (e) {
      if (token === tokens[kind] && runId === source.runId()) source.fail(e)
      return null
    }
  }

  /** The full latent point at (x, y) of the two dimensions on screen. */
  function pointAt(x: number, y: number): number[] {
    const lifted = source.lift?.(x, y)
    if (lifted) return lifted
    const [dx, dy] = source.dims()
    const point = Array.from({ length: source.latentSize() }, (_, i) => source.base()[i] ?? 0)
    point[dx] = x
    point[dy] = y
    return point
  }

  async function probeAt(x: number, y: number): Promise<void> {
    const decoded = await decodeLatest('probe', [pointAt(x, y)])
    if (decoded?.[0]) probe.value = decoded[0]
  }

  /** The decode grid over `spec`'s range of the two dimensions on screen. */
  async function refreshGrid(spec: Omit<GridSpec, 'dims' | 'fixed'>): Promise<void> {
    if (!source.runId()) return
    let points: number[][]
    try {
      points = gridPoints(source.latentSize(), {
        ...spec,
        dims: source.dims(),
        fixed: source.base()
      })
    } catch (e) {
      source.fail(e)
      return
    }
    const decoded = await decodeLatest('grid', points)
    if (decoded) grid.value = decoded
  }

  /** The path through `waypoints`, `steps` points per segment (fewer than two: no path). */
  async function refreshPath(
    waypoints: readonly (readonly number[])[],
    steps: number
  ): Promise<void> {
    if (waypoints.length < 2) {
      ++tokens.path
      path.value = []
      return
    }
    const decoded = await decodeLatest('path', latentPath(waypoints, steps))
    if (decoded) path.value = decoded
  }

  /**
   * The latent traversal around `center`: for each dimension d, `steps` points from
   * ranges[d][0] to ranges[d][1] in dimension d, every other dimension at the center's value.
   */
  async function refreshTraversal(
    center: readonly number[],
    ranges: readonly (readonly [number, number])[],
    steps: number
  ): Promise<void> {
    if (!source.runId() || center.length === 0) {
      ++tokens.traversal
      traversal.value = []
      return
    }
    const points = center.flatMap((_, d) =>
      Array.from({ length: steps }, (_, s) => {
        const [lo, hi] = ranges[d] ?? [-1, 1]
        const point = [...center]
        point[d] = lo + ((hi - lo) * s) / Math.max(1, steps - 1)
        return point
      })
    )
    const decoded = await decodeLatest('traversal', points)
    if (decoded) traversal.value = center.map((_, d) => decoded.slice(d * steps, (d + 1) * steps))
  }

  function clear(): void {
    probe.value = null
    grid.value = []
    path.value = []
    traversal.value = []
  }

  return {
    probe,
    grid,
    path,
    traversal,
    pointAt,
    probeAt,
    refreshGrid,
    refreshPath,
    refreshTraversal,
    clear
  }
}
