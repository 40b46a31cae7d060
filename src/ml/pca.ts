import { PCA } from 'ml-pca'

// Principal component analysis of small patterns (the 35-pixel glyphs, latent codes), with
// ml-pca (mljs: the singular value decomposition of the centred data, from ml-matrix): the
// mean, the principal directions (largest variance first), the patterns' coordinates on them
// and the patterns projected back. It is the linear autoencoder's reference: for squared
// error, no k-dimensional linear code does better.

export interface Pca {
  mean: Float64Array
  /** Unit principal directions, largest variance first (`k` of them). */
  components: Float64Array[]
  /** The data's variance along each direction (divided by n - 1; 0 past the data's rank). */
  variances: number[]
  /** Each pattern's coordinates on the `k` directions (n rows of k). */
  coordinates: number[][]
  /** The patterns (rows) reconstructed from their first `components.length` coordinates. */
  reconstructions: Float64Array
}

function rowsOf(patterns: ArrayLike<number>, size: number): number[][] {
  const n = patterns.length / size
  if (!Number.isInteger(n) || n === 0) throw new Error('PCA needs whole patterns')
  return Array.from({ length: n }, (_, r) =>
    Array.from({ length: size }, (_, i) => patterns[r * size + i]!)
  )
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/**
 * Unit vectors orthogonal to `basis` and to each other, up to `count` in all: the directions
 * past the data's rank (fewer distinct patterns than components), which carry no variance.
 */
function completeBasis(basis: Float64Array[], size: number, count: number): Float64Array[] {
  const out = [...basis]
  for (let e = 0; e < size && out.length < count; e++) {
    const v = new Float64Array(size)
    v[e] = 1
    for (const u of out) {
      const d = dot(u, v)
      for (let i = 0; i < size; i++) v[i]! -= d * u[i]!
    }
    const norm = Math.hypot(...v)
    if (norm > 1e-6) out.push(v.map((x) => x / norm))
  }
  return out
}

/** PCA of `patterns` (rows of `size` values, concatenated) with `k` components. */
export function pca(patterns: ArrayLike<number>, size: number, k: number): Pca {
  const rows = rowsOf(patterns, size)
  if (!Number.isInteger(k) || k < 1 || k > size)
    throw new Error(`PCA takes 1 to ${size} components`)
  const n = rows.length
  const model = new PCA(rows, { method: 'SVD', center: true, scale: false })
  const mean = Float64Array.from(model.toJSON().means)
  const vectors = model.getEigenvectors()
  const eigenvalues = model.getEigenvalues()
  // The SVD gives min(n, size) directions; past the data's rank their variance is (about) 0.
  const found = Array.from({ length: Math.min(k, vectors.columns) }, (_, c) =>
    Float64Array.from(vectors.getColumn(c))
  )
  const components = completeBasis(found, size, k)
  const variances = components.map((_, c) => (n > 1 ? Math.max(0, eigenvalues[c] ?? 0) : 0))
  const coordinates = rows.map((row) => {
    const centred = row.map((v, i) => v - mean[i]!)
    return components.map((u) => dot(u, centred))
  })
  const reconstructions = new Float64Array(n * size)
  coordinates.forEach((coords, r) => {
    for (let i = 0; i < size; i++) {
      let v = mean[i]!
      for (let c = 0; c < k; c++) v += coords[c]! * components[c]![i]!
      reconstructions[r * size + i] = v
    }
  })
  return { mean, components, variances, coordinates, reconstructions }
}

/** A point of the first components' space taken back to the data's space: mean + sum of x_c u_c. */
export function pcaInverse(
  p: Pick<Pca, 'mean' | 'components'>,
  coordinates: readonly number[]
): number[] {
  return Array.from(p.mean, (m, i) =>
    coordinates.reduce((v, x, c) => v + x * (p.components[c]?.[i] ?? 0), m)
  )
}
