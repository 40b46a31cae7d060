import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { gridPoints, interpolationPath, latentBounds, nearestPattern } from '@shared/latent'
import { labClient } from '../api/client'
import { commit, emptyDrawing, redo, undo, type Drawing } from '../lib/pixel-history'
import { useLabStore } from './lab'
import { useRunsStore } from './runs'

export interface Decoded {
  point: number[]
  pattern: number[]
}

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
  const probe = shallowRef<Decoded | null>(null)
  const drawing = shallowRef<Drawing>(emptyDrawing())
  const drawn = shallowRef<{
    point: number[]
    reconstruction: number[]
    nearest: { char: string; distance: number } | null
  } | null>(null)
  const gridSize = ref(12)
  const grid = shallowRef<Decoded[]>([])
  const interpolation = ref<{ from: number; to: number; steps: number }>({
    from: 1,
    to: 2,
    steps: 8
  })
  const strip = shallowRef<Decoded[]>([])

  const run = computed(() => runs.selected)
  const latentSize = computed(() => run.value?.config.latent ?? 2)
  /** The training glyphs of the selected run, in the order of its results. */
  const trainingGlyphs = computed(() => {
    const r = run.value
    const all = r ? (r.config.glyphs ?? lab.fontByName(r.config.font)?.glyphs) : undefined
    if (!r || !all) return []
    return r.config.subset ? r.config.subset.map((i) => all[i]!).filter(Boolean) : all
  })
  const codes = computed(() => run.value?.result.glyphs.map((g) => g.latent) ?? [])
  const bounds = computed(() =>
    codes.value.length
      ? latentBounds(codes.value, dims.value, 0.15)
      : ([
          [-1, 1],
          [-1, 1]
        ] as [[number, number], [number, number]])
  )

  const tokens = { probe: 0, drawn: 0, grid: 0, strip: 0 }

  async function decodePoints(points: number[][]): Promise<number[][]> {
    const r = run.value
    if (!r) throw new Error('train a network first')
    return (await labClient().request('decodeLatent', { runId: r.runId, points })).patterns
  }

  function fail(e: unknown): void {
    error.value = e instanceof Error ? e.message : String(e)
  }

  /** A full latent point from the two shown coordinates (other dimensions at the glyphs' mean). */
  function pointAt(x: number, y: number): number[] {
    const size = latentSize.value
    const mean = Array.from({ length: size }, (_, i) =>
      codes.value.length ? codes.value.reduce((s, c) => s + (c[i] ?? 0), 0) / codes.value.length : 0
    )
    mean[dims.value[0]] = x
    mean[dims.value[1]] = y
    return mean
  }

  async function probeAt(x: number, y: number): Promise<void> {
    const token = ++tokens.probe
    const point = pointAt(x, y)
    try {
      const [pattern] = await decodePoints([point])
      if (token === tokens.probe && pattern) probe.value = { point, pattern }
      error.value = null
    } catch (e) {
      fail(e)
    }
  }

  async function encodeDrawing(): Promise<void> {
    const r = run.value
    if (!r) return
    const token = ++tokens.drawn
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
      if (token !== tokens.drawn) return
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
    drawing.value = pixels ? { ...emptyDrawing(), pixels: [...pixels] } : emptyDrawing()
  }
  const undoDrawing = (): void => void (drawing.value = undo(drawing.value))
  const redoDrawing = (): void => void (drawing.value = redo(drawing.value))

  async function refreshGrid(): Promise<void> {
    if (!run.value) return
    const token = ++tokens.grid
    try {
      const base = pointAt(0, 0)
      const points = gridPoints(latentSize.value, {
        n: gridSize.value,
        range: bounds.value,
        dims: dims.value,
        fixed: base
      })
      const patterns = await decodePoints(points)
      if (token === tokens.grid)
        grid.value = points.map((point, i) => ({ point, pattern: patterns[i]! }))
      error.value = null
    } catch (e) {
      fail(e)
    }
  }

  async function refreshStrip(): Promise<void> {
    const { from, to } = interpolation.value
    const count = codes.value.length
    const token = ++tokens.strip
    if (count === 0) {
      strip.value = []
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
    const a = codes.value[from]!
    const b = codes.value[to]!
    try {
      const points = interpolationPath(a, b, steps)
      const patterns = await decodePoints(points)
      if (token === tokens.strip)
        strip.value = points.map((point, i) => ({ point, pattern: patterns[i]! }))
      error.value = null
    } catch (e) {
      fail(e)
    }
  }

  // A new run, new dimensions or a new grid size redraw what depends on them.
  watch([() => run.value?.runId, dims], () => (probe.value = null), { deep: true })
  watch([() => run.value?.runId, dims, gridSize], () => void refreshGrid(), { deep: true })
  watch([() => run.value?.runId, interpolation], () => void refreshStrip(), { deep: true })
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
    trainingGlyphs,
    codes,
    bounds,
    probeAt,
    draw,
    restoreDrawing,
    undoDrawing,
    redoDrawing,
    refreshGrid,
    refreshStrip
  }
})
