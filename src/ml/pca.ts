// Principal component analysis of a few small patterns (the 35-pixel glyphs), in plain numbers:
// the mean, the top principal directions of the covariance by power iteration (each orthogonal
// to the ones before), and the patterns projected onto them and back. It is the linear
// autoencoder's reference: for squared error, no k-dimensional linear code does better.

export interface Pca {
  mean: Float64Array
  /** Unit principal directions, largest variance first. */
  components: Float64Array[]
  /** The patterns (rows) reconstructed from their first `components.length` coordinates. */
  reconstructions: Float64Array
}

const ITERATIONS = 2000

export function pca(patterns: ArrayLike<number>, size: number, k: number): Pca {
  const n = patterns.length / size
  if (!Number.isInteger(n) || n === 0) throw new Error('PCA needs whole patterns')
  if (!Number.isInteger(k) || k < 1 || k > size)
    throw new Error(`PCA takes 1 to ${size} components`)
  const mean = new Float64Array(size)
  for (let r = 0; r < n; r++) for (let i = 0; i < size; i++) mean[i]! += patterns[r * size + i]! / n
  const cov = new Float64Array(size * size)
  const x = new Float64Array(size)
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < size; i++) x[i] = patterns[r * size + i]! - mean[i]!
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) cov[i * size + j]! += (x[i]! * x[j]!) / n
  }
  const components: Float64Array[] = []
  for (let c = 0; c < k; c++) {
    // A fixed start that is not orthogonal to any direction in general.
    let v = Float64Array.from({ length: size }, (_, i) => 1 + ((i * 7 + c * 3) % 11) / 10)
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const w = new Float64Array(size)
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) w[i]! += cov[i * size + j]! * v[j]!
      for (const u of components) {
        const dot = u.reduce((s, ui, i) => s + ui * w[i]!, 0)
        for (let i = 0; i < size; i++) w[i]! -= dot * u[i]!
      }
      const norm = Math.hypot(...w)
      // No variance left (fewer distinct patterns than components): any orthogonal unit vector.
      if (norm < 1e-12) {
        for (const u of components) {
          const dot = u.reduce((s, ui, i) => s + ui * v[i]!, 0)
          for (let i = 0; i < size; i++) v[i]! -= dot * u[i]!
        }
        const rest = Math.hypot(...v)
        v = v.map((vi) => vi / rest)
        break
      }
      v = w.map((wi) => wi / norm)
    }
    components.push(v)
  }
  const reconstructions = new Float64Array(n * size)
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < size; i++) x[i] = patterns[r * size + i]! - mean[i]!
    for (let i = 0; i < size; i++) reconstructions[r * size + i] = mean[i]!
    for (const u of components) {
      const coordinate = u.reduce((s, ui, i) => s + ui * x[i]!, 0)
      for (let i = 0; i < size; i++) reconstructions[r * size + i]! += coordinate * u[i]!
    }
  }
  return { mean, components, reconstructions }
}
