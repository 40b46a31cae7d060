import { computed, ref, watch } from 'vue'
import { liftPoint, type Projection } from '@shared/latent-analysis'
import { useLatentAnalysisStore, type LatentView } from '../stores/latent-analysis'

/** What a projected plane needs from the store that holds the run. */
export interface ProjectionSource {
  runId: () => string | null
  latentSize: () => number
  /** The codes on screen, in the order the analysis projects them (glyphs; a test set). */
  codes: () => readonly (readonly number[])[]
  dims: () => [number, number]
}

/**
 * The plane a latent space wider than two is shown on: two chosen dimensions ('dims'), or its
 * PCA or UMAP projection (computed in the run's worker, src/ml/latent-analysis.ts). A point of
 * a PCA plane is taken back to a code (the mean plus the two components); UMAP has no inverse,
 * so a point stands for the nearest projected code.
 */
export function useLatentProjection(source: ProjectionSource) {
  const analysis = useLatentAnalysisStore()
  const view = ref<LatentView>('dims')
  /** The view in effect: a latent of 2 or less is always its own plane. */
  const shown = computed<LatentView>(() => (source.latentSize() > 2 ? view.value : 'dims'))
  const projection = computed<Projection | null>(() =>
    shown.value === 'dims' ? null : (analysis.get(source.runId(), shown.value)?.projection ?? null)
  )
  const loading = computed(
    () => shown.value !== 'dims' && projection.value === null && error.value === null
  )
  const error = computed(() =>
    shown.value === 'dims' ? null : analysis.errorOf(source.runId(), shown.value)
  )
  watch(
    [source.runId, shown],
    ([runId, v]) => {
      if (runId && v !== 'dims') void analysis.load(runId, v)
    },
    { immediate: true }
  )

  /** Each code's point on the plane on screen (null where a projection left it out). */
  const planePoints = computed<([number, number] | null)[]>(() => {
    const codes = source.codes()
    const p = projection.value
    if (p) {
      const out: ([number, number] | null)[] = codes.map(() => null)
      p.indices.forEach((code, i) => {
        if (code < out.length) out[code] = p.points[i]!
      })
      return out
    }
    if (shown.value !== 'dims') return codes.map(() => null)
    const [dx, dy] = source.dims()
    return codes.map((c) => [c[dx] ?? 0, c[dy] ?? 0])
  })

  /** The full code a point of a projected plane stands for (null: the plane is two dimensions). */
  function lift(x: number, y: number): number[] | null {
    const p = projection.value
    if (!p) return null
    if (p.inverse) return liftPoint(p.inverse, x, y)
    let best = -1
    let bestDistance = Infinity
    p.points.forEach(([px, py], i) => {
      const d = (px - x) ** 2 + (py - y) ** 2
      if (d < bestDistance) {
        bestDistance = d
        best = i
      }
    })
    const code = best >= 0 ? source.codes()[p.indices[best]!] : undefined
    return code ? [...code] : null
  }

  /** A code's point on the plane on screen (null: UMAP places only the codes it embedded). */
  function place(code: readonly number[]): [number, number] | null {
    const p = projection.value
    if (!p) {
      if (shown.value !== 'dims') return null
      const [dx, dy] = source.dims()
      return [code[dx] ?? 0, code[dy] ?? 0]
    }
    if (!p.inverse) return null
    const { mean, components } = p.inverse
    const along = (u: readonly number[]): number =>
      u.reduce((s, v, i) => s + v * ((code[i] ?? 0) - mean[i]!), 0)
    return [along(components[0]!), along(components[1]!)]
  }

  const axisNames = computed<[string, string]>(() => {
    if (shown.value === 'pca') return ['PC1', 'PC2']
    if (shown.value === 'umap') return ['UMAP 1', 'UMAP 2']
    const [dx, dy] = source.dims()
    return [`z${dx + 1}`, `z${dy + 1}`]
  })

  return { view, shown, projection, planePoints, lift, place, axisNames, loading, error }
}
