import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { latentBounds, nearestPattern } from '@shared/latent'
import { labClient } from '../api/client'
import { useLatentExplorer } from '../composables/latent-explorer'
import { useLatentProjection } from '../composables/latent-projection'
import { commit, emptyDrawing, redo, undo, type Drawing } from '../lib/pixel-history'
import { gridOf, gridPixels, type GlyphGrid } from '@shared/schemas'
import { useLabStore } from './lab'
import { useRunsStore } from './runs'
import { i18n } from '../i18n'

export type { Decoded } from '../composables/latent-explorer'

/**
 * Exploring the selected run's latent space: the probe (a clicked or dragged point decoded into
 * a new letter), the drawing in the pixel editor and where it encodes, the decode grid and the
 * interpolation strip. Requests that arrive out of order are dropped (only the latest counts).
 */
export const useExplorerStore = defineStore('explorer', () => {
  const runs = useRunsStore()
  const lab = useLabStore()
  const error = ref<string | null>(null)

  const dims = ref<[number, number]>([0, 1])
  const drawing = shallowRef<Drawing>(emptyDrawing())
  const drawn = shallowRef<{
    point: number[]
    reconstruction: number[]
    nearest: { char: string; distance: number } | null
  } | null>(null)
  const gridSize = ref(12)
  const interpolation = ref<{ from: number; to: number; steps: number }>({
    from: 1,
    to: 2,
    steps: 8
  })

  const run = computed(() => runs.selected)
  const latentSize = computed(() => run.value?.config.latent ?? 2)
  /** The selected run's glyph grid (7x5 without a run): the editor draws on it. */
  const runGrid = computed<GlyphGrid>(() => gridOf(run.value?.config ?? {}))
  /** The training glyphs of the selected run, in the order of its results. */
  const trainingGlyphs = computed(() => {
    const r = run.value
    const all = r ? (r.config.glyphs ?? lab.fontByName(r.config.font)?.glyphs) : undefined
    if (!r || !all) return []
    return r.config.subset ? r.config.subset.map((i) => all[i]!).filter(Boolean) : all
  })
  const codes = computed(() => run.value?.result.glyphs.map((g) => g.latent) ?? [])
  // Wider than 2: the plane is two chosen dimensions, or the codes' PCA or UMAP projection.
  const plane = useLatentProjection({
    runId: () => run.value?.runId ?? null,
    latentSize: () => latentSize.value,
    codes: () => codes.value,
    dims: () => dims.value
  })
  const planeCodes = computed(() =>
    plane.planePoints.value.filter((p): p is [number, number] => p !== null)
  )
  /** The plane on screen's range (the decode grid's is `bounds`: two of the dimensions). */
  const planeBounds = computed(() =>
    planeCodes.value.length
      ? latentBounds(planeCodes.value, [0, 1], 0.15)
      : ([
          [-1, 1],
          [-1, 1]
        ] as [[number, number], [number, number]])
  )
  const bounds = computed(() =>
    codes.value.length
      ? latentBounds(codes.value, dims.value, 0.15)
      : ([
          [-1, 1],
          [-1, 1]
        ] as [[number, number], [number, number]])
  )

  let drawnToken = 0

  function fail(e: unknown): void {
    error.value = e instanceof Error ? e.message : String(e)
  }

  /** The glyphs' mean code: where the latent dimensions not on screen sit. */
  const meanCode = computed(() =>
    Array.from({ length: latentSize.value }, (_, i) =>
      codes.value.length ? codes.value.reduce((s, c) => s + (c[i] ?? 0), 0) / codes.value.length : 0
    )
  )
  const explore = useLatentExplorer({
    runId: () => run.value?.runId ?? null,
    latentSize: () => latentSize.value,
    dims: () => dims.value,
    base: () => meanCode.value,
    lift: plane.lift,
    decode: async (runId, points) =>
      (await labClient().request('decodeLatent', { runId, points })).patterns,
    noRun: () => i18n.global.t('letters.latent.noRun'),
    ok: () => void (error.value = null),
    fail
  })
  const { probe, grid, path: strip, traversal } = explore
  /** Where the probe is on the plane on screen (a projection's point, or its two dimensions). */
  const probePlane = ref<[number, number] | null>(null)
  async function probeAt(x: number, y: number): Promise<void> {
    probePlane.value = [x, y]
    await explore.probeAt(x, y)
  }
  const traversalSteps = ref(9)
  /** Each dimension varied across the glyphs' range (15% beyond), around the probe or the mean code. */
  async function refreshTraversal(): Promise<void> {
    const ranges = meanCode.value.map((_, d) => {
      const [[lo, hi]] = latentBounds(codes.value.length ? codes.value : [[0]], [d, d], 0.15)
      return [lo, hi] as [number, number]
    })
    await explore.refreshTraversal(
      probe.value?.point ?? meanCode.value,
      ranges,
      traversalSteps.value
    )
  }

  async function encodeDrawing(): Promise<void> {
    const r = run.value
    if (!r) return
    const token = ++drawnToken
    // An empty editor is not a drawing: nothing to encode or to plot.
    if (drawing.value.pixels.every((p) => p < 0.5)) {
      drawn.value = null
      return
    }
    try {
      const result = await labClient().request('encodePatterns', {
        runId: r.runId,
        patterns: [[...drawing.value.pixels]]
      })
      if (token !== drawnToken) return
      const nearest = nearestPattern(
        drawing.value.pixels,
        trainingGlyphs.value.map((g) => g.pixels)
      )
      drawn.value = {
        point: result.points[0] ?? [],
        reconstruction: result.reconstructions[0] ?? [],
        nearest:
          nearest.index >= 0
            ? { char: trainingGlyphs.value[nearest.index]!.char, distance: nearest.distance }
            : null
      }
      error.value = null
    } catch (e) {
      fail(e)
    }
  }

  function draw(pixels: readonly number[]): void {
    drawing.value = commit(drawing.value, pixels)
  }
  /** Puts a saved drawing in the editor (or empties it), with a fresh undo history. */
  function restoreDrawing(pixels: readonly number[] | null): void {
    drawing.value = pixels
      ? { ...emptyDrawing(runGrid.value), pixels: [...pixels] }
      : emptyDrawing(runGrid.value)
  }
  const undoDrawing = (): void => void (drawing.value = undo(drawing.value))
  const redoDrawing = (): void => void (drawing.value = redo(drawing.value))

  async function refreshGrid(): Promise<void> {
    await explore.refreshGrid({ n: gridSize.value, range: bounds.value })
  }

  async function refreshStrip(): Promise<void> {
    const { from, to } = interpolation.value
    const count = codes.value.length
    if (count === 0) {
      await explore.refreshPath([], 2)
      return
    }
    // A run with fewer glyphs than the ends point at: bring them into its range (the deep watch
    // on the interpolation then redraws the strip).
    if (from >= count || to >= count) {
      interpolation.value = {
        ...interpolation.value,
        from: from < count ? from : 0,
        to: to < count ? to : count - 1
      }
      return
    }
    const steps = Math.min(30, Math.max(2, Math.round(interpolation.value.steps) || 2))
    await explore.refreshPath([codes.value[from]!, codes.value[to]!], steps)
  }

  // A new run, new dimensions or a new grid size redraw what depends on them.
  watch(
    [() => run.value?.runId, dims, plane.shown],
    () => {
      probe.value = null
      probePlane.value = null
    },
    { deep: true }
  )
  watch([() => run.value?.runId, probe, traversalSteps], () => void refreshTraversal())
  watch([() => run.value?.runId, dims, gridSize], () => void refreshGrid(), { deep: true })
  watch([() => run.value?.runId, interpolation], () => void refreshStrip(), { deep: true })
  // A run on another grid starts the editor afresh on that grid (a drawing of another size
  // cannot be encoded by it).
  watch(runGrid, (grid) => {
    if (drawing.value.pixels.length !== gridPixels(grid)) drawing.value = emptyDrawing(grid)
  })
  watch([() => run.value?.runId, drawing], () => void encodeDrawing())

  return {
    error,
    dims,
    probe,
    drawing,
    drawn,
    gridSize,
    grid,
    interpolation,
    strip,
    run,
    latentSize,
    runGrid,
    trainingGlyphs,
    codes,
    bounds,
    planeBounds,
    /** The plane on screen: 'dims', 'pca' or 'umap' (chosen, and in effect). */
    view: plane.view,
    shown: plane.shown,
    projection: plane.projection,
    planePoints: plane.planePoints,
    axisNames: plane.axisNames,
    projecting: plane.loading,
    projectionError: plane.error,
    place: plane.place,
    probePlane,
    traversal,
    traversalSteps,
    probeAt,
    draw,
    restoreDrawing,
    undoDrawing,
    redoDrawing,
    refreshGrid,
    refreshStrip
  }
})
