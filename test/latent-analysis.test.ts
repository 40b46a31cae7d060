import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { createAutoencoder } from '../src/ml/autoencoder'
import { loadFonts } from '../src/ml/data/datasets'
import { vaeTestLoss } from '../src/ml/kinds/vae'
import { glyphAnalysis, pcaBaseline, projectCodes } from '../src/ml/latent-analysis'
import { activeUnits, elboParts, knnAccuracy, perClassError } from '../src/ml/metrics'
import { pca, pcaInverse } from '../src/ml/pca'
import { createVae, vaeDecode, vaeEncode } from '../src/ml/vae'
import { liftPoint } from '../src/shared/latent-analysis'
import { gaussian } from '../src/shared/noise'
import { mulberry32 } from '../src/shared/random'
import { GLYPH_PIXELS } from '../src/shared/schemas'
import { datasetsDir } from './helpers'

// Latent-space analysis (issue 17 item 4): PCA (ml-pca) against a decomposition known by
// construction, its reconstruction error against the discarded variance, the metrics on toy
// sets with known answers, a VAE's ELBO parts against a plain computation, and the analysis
// of a real (small, untrained) autoencoder of the glyphs.

beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
})

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
  Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0)

describe('PCA', () => {
  // Two orthonormal axes of R^4 and a mean; the points are mean + 3a u1 + b u2 for (a, b) in
  // {-1, 1}^2: variances (n - 1 divisor) 9 * 4/3 = 12 along u1 and 4/3 along u2, none elsewhere.
  const u1 = [0.5, 0.5, 0.5, 0.5]
  const u2 = [0.5, -0.5, 0.5, -0.5]
  const mean = [1, 2, 3, 4]
  const signs = [
    [1, 1],
    [1, -1],
    [-1, 1],
    [-1, -1]
  ]
  const data = signs.flatMap(([a, b]) => mean.map((m, i) => m + 3 * a! * u1[i]! + b! * u2[i]!))

  it('finds the known axes, variances and mean, and reconstructs exactly with both', () => {
    const p = pca(data, 4, 3)
    expect([...p.mean]).toEqual(mean.map((m) => expect.closeTo(m, 9)))
    expect(p.variances[0]).toBeCloseTo(12, 9)
    expect(p.variances[1]).toBeCloseTo(4 / 3, 9)
    expect(p.variances[2]).toBeCloseTo(0, 9)
    expect(Math.abs(dot(p.components[0]!, u1))).toBeCloseTo(1, 9)
    expect(Math.abs(dot(p.components[1]!, u2))).toBeCloseTo(1, 9)
    // The third direction (past the data's rank) is a unit vector orthogonal to both.
    expect(Math.hypot(...p.components[2]!)).toBeCloseTo(1, 9)
    expect(dot(p.components[2]!, u1)).toBeCloseTo(0, 9)
    expect(dot(p.components[2]!, u2)).toBeCloseTo(0, 9)
    p.reconstructions.forEach((v, i) => expect(v).toBeCloseTo(data[i]!, 9))
    // The coordinates are the construction's 3a and b (up to each axis's sign).
    p.coordinates.forEach(([x, y], r) => {
      expect(Math.abs(x!)).toBeCloseTo(3, 9)
      expect(Math.abs(y!)).toBeCloseTo(1, 9)
      expect(pcaInverse(p, [x!, y!])).toEqual(
        data.slice(r * 4, r * 4 + 4).map((v) => expect.closeTo(v, 9))
      )
    })
    // One component keeps only the u1 part: each point loses its b u2 (squared length 1).
    const one = pca(data, 4, 1)
    const lost = one.reconstructions.reduce((s, v, i) => s + (v - data[i]!) ** 2, 0)
    expect(lost).toBeCloseTo(4, 9)
  })

  it("the glyphs' squared error at k components is the variance left in the other directions", async () => {
    const font = (await loadFonts(datasetsDir)).find((f) => f.name === 'Font1')!
    const patterns = Float32Array.from(font.glyphs.flatMap((g) => g.pixels))
    const n = font.glyphs.length
    const all = pca(patterns, GLYPH_PIXELS, GLYPH_PIXELS)
    for (const k of [1, 2, 5]) {
      const { reconstructions } = pca(patterns, GLYPH_PIXELS, k)
      const naive = reconstructions.reduce((s, v, i) => s + (v - patterns[i]!) ** 2, 0)
      const left = all.variances.slice(k).reduce((s, v) => s + v, 0) * (n - 1)
      expect(naive).toBeCloseTo(left, 6)
      // The baseline's figures are the same numbers, per pixel, and its wrong pixels counted.
      const baseline = pcaBaseline(patterns, GLYPH_PIXELS, k, patterns)
      expect(baseline.pca.meanSquaredError).toBeCloseTo(naive / patterns.length, 9)
      const wrong = Array.from({ length: n }, (_, g) => {
        let w = 0
        for (let i = 0; i < GLYPH_PIXELS; i++) {
          const at = g * GLYPH_PIXELS + i
          if (reconstructions[at]! >= 0.5 !== patterns[at]! >= 0.5) w++
        }
        return w
      })
      expect(baseline.pca.wrongPixels).toEqual(wrong)
      // Given the glyphs themselves as "reconstructions", the network's side is perfect.
      expect(baseline.network).toEqual({ wrongPixels: new Array(n).fill(0), meanSquaredError: 0 })
      expect(baseline.points).toHaveLength(n)
    }
  })
})

describe('metrics', () => {
  it('kNN accuracy on a toy set: two clusters and one point of class 1 inside class 0', () => {
    const codes = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [10, 10],
      [10, 11],
      [11, 10],
      [11, 11],
      [0.5, 0.5]
    ]
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1]
    // k = 3: every cluster point is right (its 3 nearest hold at most one stranger); the
    // stranger's 3 nearest are all class 0.
    expect(knnAccuracy(codes, labels, 3)).toBeCloseTo(8 / 9, 12)
    // k = 1: the stranger is every class-0 point's nearest (0.5 away): only class 1's four
    // cluster points are right.
    expect(knnAccuracy(codes, labels, 1)).toBeCloseTo(4 / 9, 12)
  })

  it('per-class error, and active units of constructed codes', () => {
    expect(perClassError([1, 3, 10, 2], [1, 1, 0, 7])).toEqual([
      { label: 0, count: 1, error: 10 },
      { label: 1, count: 2, error: 2 },
      { label: 7, count: 1, error: 2 }
    ])
    // Unit 0 varies by 1, unit 1 by 0.0025 (below 0.01), unit 2 not at all.
    const codes = [-1, 1, -1, 1].map((a, i) => [a, i % 2 ? 0.05 : -0.05, 3])
    const units = activeUnits(codes)
    expect(units.count).toBe(1)
    expect(units.variances.map((v) => +v.toFixed(6))).toEqual([1, 0.0025, 0])
    expect(activeUnits(codes, 0.001).count).toBe(2)
  })

  it("a VAE's test ELBO parts are BCE and KL computed plainly, and sum to the negative ELBO", () => {
    const shape = { inputSize: 6, hidden: [4], latent: 2, activation: 'relu' as const }
    const model = createVae(shape, 3)
    const count = 4
    const random = mulberry32(11)
    const images = Uint8Array.from({ length: count * 6 }, () => Math.floor(random() * 256))
    const seed = 5
    const { reconstruction, kl } = vaeTestLoss(model, { count, images, size: 6 }, 1, seed)
    // The same draws as vaeTestLoss (its documented seeding), then plain arithmetic.
    const draws = mulberry32(seed ^ 0x7e57)
    const eps = Array.from({ length: count * 2 }, () => gaussian(draws))
    const x = Array.from(images, (v) => v / 255)
    const { mu, logvar, probs } = tf.tidy(() => {
      const stats = vaeEncode(model, tf.tensor2d(x, [count, 6]))
      const m = stats.mu.arraySync()
      const lv = stats.logvar.arraySync()
      const z = m.map((row, r) => row.map((v, j) => v + Math.exp(lv[r]![j]! / 2) * eps[r * 2 + j]!))
      return { mu: m, logvar: lv, probs: vaeDecode(model, tf.tensor2d(z)).arraySync() }
    })
    let bce = 0
    let divergence = 0
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < 6; i++) {
        const p = probs[r]![i]!
        const y = x[r * 6 + i]!
        bce -= y * Math.log(p) + (1 - y) * Math.log(1 - p)
      }
      for (let j = 0; j < 2; j++)
        divergence += -0.5 * (1 + logvar[r]![j]! - mu[r]![j]! ** 2 - Math.exp(logvar[r]![j]!))
    }
    expect(reconstruction).toBeCloseTo(bce / count, 3)
    expect(kl).toBeCloseTo(divergence / count, 4)
    const elbo = elboParts(reconstruction, kl)
    expect(elbo.negativeElbo).toBeCloseTo((bce + divergence) / count, 3)
    model.dispose()
  })
})

describe('the analysis of a glyph autoencoder', () => {
  it('sets PCA beside its codes, and projects a 3-D latent by PCA (invertible) and UMAP (seeded)', async () => {
    const font = (await loadFonts(datasetsDir)).find((f) => f.name === 'Font1')!
    const patterns = Float32Array.from(font.glyphs.flatMap((g) => g.pixels))
    const model = createAutoencoder(
      {
        inputSize: GLYPH_PIXELS,
        hidden: [10],
        latent: 3,
        activation: 'tanh',
        latentActivation: 'tanh'
      },
      1
    )
    const a = await glyphAnalysis(model, patterns, GLYPH_PIXELS, 'pca', 1)
    expect(a.latent).toBe(3)
    expect(a.baseline!.components).toBe(3)
    expect(a.baseline!.points).toHaveLength(32)
    expect(a.baseline!.explained).toHaveLength(3)
    expect(a.metrics.activeUnits.variances).toHaveLength(3)
    expect(a.metrics.knn).toBeNull()
    const projection = a.projection!
    expect(projection.points).toHaveLength(32)
    // A code's own point, taken back, is the code less its part along the third direction.
    const codes = (await import('../src/ml/inference')).encode(
      model,
      font.glyphs.map((g) => g.pixels)
    )
    const third = pca(codes.flat(), 3, 3).components[2]!
    codes.forEach((code, i) => {
      const [x, y] = projection.points[i]!
      const back = liftPoint(projection.inverse!, x, y)
      const along = dot(
        third,
        code.map((v, j) => v - back[j]!)
      )
      back.forEach((v, j) => expect(v + along * third[j]!).toBeCloseTo(code[j]!, 5))
    })
    const umap = await projectCodes(codes, 'umap', 7)
    expect(umap.inverse).toBeNull()
    expect(umap.points).toHaveLength(32)
    expect((await projectCodes(codes, 'umap', 7)).points).toEqual(umap.points)
    await expect(projectCodes([[1, 2]], 'pca', 1)).rejects.toThrow(/3 or more dimensions/)
    model.dispose()
  })
})
