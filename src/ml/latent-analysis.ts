import { UMAP } from 'umap-js'
import type {
  LatentAnalysis,
  PcaBaseline,
  Projection,
  ProjectionMethod,
  RunMetrics
} from '../shared/latent-analysis'
import { mulberry32 } from '../shared/random'
import { spreadEvenly } from '../shared/spread'
import { wrongPixels, type AutoencoderModel } from './autoencoder'
import { decode, encode } from './inference'
import { KNN_K, activeUnits, knnAccuracy, perClassError, rowSquaredErrors } from './metrics'
import { pca } from './pca'

// A trained run's latent space analysed (issue 17 item 4), for the kinds' `analyze`: the run's
// metrics (metrics.ts), the PCA baseline of a glyph run's inputs and a 2-D projection of codes
// wider than two, by PCA (which a point of the plane can be taken back from) or by UMAP
// (umap-js, seeded; no inverse: the lab decodes the nearest code instead).

/** UMAP embeds at most this many codes (evenly spread over the set); PCA takes them all. */
export const UMAP_MAX_CODES = 2000
/** The kNN accuracy is over at most this many codes (leave-one-out is quadratic). */
export const KNN_MAX_CODES = 2000

type Analysis = Omit<LatentAnalysis, 'runId'>

const rowsOf = (patterns: Float32Array, size: number): number[][] =>
  Array.from({ length: patterns.length / size }, (_, r) =>
    Array.from(patterns.subarray(r * size, (r + 1) * size))
  )

/** Lets the worker answer other requests (a probe's decode) between slices of long work. */
export const yieldToRequests = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * The codes on a plane: PCA's first two components, or a seeded UMAP of a spread subsample
 * (its epochs yield to the worker's other requests: UMAP of 2,000 codes takes seconds).
 */
export async function projectCodes(
  codes: readonly (readonly number[])[],
  method: ProjectionMethod,
  seed: number
): Promise<Projection> {
  const size = codes[0]?.length ?? 0
  if (size < 3) throw new Error('a projection is for a latent space of 3 or more dimensions')
  const started = performance.now()
  if (method === 'pca') {
    const p = pca(codes.flat(), size, 2)
    return {
      method,
      points: p.coordinates.map(([x, y]) => [x!, y!]),
      indices: codes.map((_, i) => i),
      inverse: { mean: [...p.mean], components: p.components.map((c) => [...c]) },
      note: `PCA of all ${codes.length} codes: the probe's point is taken back to a code (the mean plus its two components); the other directions stay at the mean.`,
      seconds: (performance.now() - started) / 1000
    }
  }
  const indices = spreadEvenly(
    codes.map((_, i) => i),
    UMAP_MAX_CODES
  )
  if (indices.length < 3) throw new Error('UMAP needs at least 3 codes')
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, indices.length - 1),
    minDist: 0.1,
    random: mulberry32(seed ^ 0x5eed)
  })
  await umap.fitAsync(indices.map((i) => [...codes[i]!]))
  const embedded = umap.getEmbedding()
  const sampled =
    indices.length < codes.length ? `${indices.length} of ${codes.length} codes` : 'the codes'
  return {
    method,
    points: embedded.map(([x, y]) => [x!, y!]),
    indices,
    inverse: null,
    note: `UMAP of ${sampled} (seed ${seed}) has no inverse: the probe decodes the nearest code.`,
    seconds: (performance.now() - started) / 1000
  }
}

/** The figures of a run whose data has no classes (letters): active units only. */
function unlabelledMetrics(codes: readonly (readonly number[])[]): RunMetrics {
  return {
    codes: codes.length,
    knn: null,
    perClass: null,
    activeUnits: activeUnits(codes),
    elbo: null
  }
}

/** The PCA baseline of the glyphs beside an autoencoder with `latent` units. */
export function pcaBaseline(
  patterns: Float32Array,
  size: number,
  latent: number,
  reconstructions: ArrayLike<number>
): PcaBaseline {
  const plane = pca(patterns, size, Math.max(2, latent))
  const same = latent === plane.components.length ? plane : pca(patterns, size, latent)
  const n = patterns.length / size
  let total = 0
  for (let i = 0; i < size; i++) {
    let mean = 0
    for (let r = 0; r < n; r++) mean += patterns[r * size + i]! / n
    for (let r = 0; r < n; r++) total += (patterns[r * size + i]! - mean) ** 2 / Math.max(1, n - 1)
  }
  const mse = (out: ArrayLike<number>): number =>
    rowSquaredErrors(out, patterns, size).reduce((s, e) => s + e, 0) / n
  return {
    points: plane.coordinates.map(([x, y]) => [x!, y!]),
    explained: same.variances.map((v) => (total > 0 ? v / total : 0)),
    components: latent,
    pca: {
      wrongPixels: wrongPixels(same.reconstructions, patterns, size),
      meanSquaredError: mse(same.reconstructions)
    },
    network: {
      wrongPixels: wrongPixels(reconstructions, patterns, size),
      meanSquaredError: mse(reconstructions)
    }
  }
}

/** A glyph run: its codes' metrics, the PCA baseline of its glyphs and, if asked, a projection. */
export async function glyphAnalysis(
  model: AutoencoderModel,
  patterns: Float32Array,
  size: number,
  projection: ProjectionMethod | null,
  seed: number
): Promise<Analysis> {
  const codes = encode(model, rowsOf(patterns, size))
  const reconstructions = decode(model, codes).flat()
  return {
    latent: model.latent,
    metrics: unlabelledMetrics(codes),
    baseline: pcaBaseline(patterns, size, model.latent, reconstructions),
    projection: projection ? await projectCodes(codes, projection, seed) : null
  }
}

/**
 * A run on labelled data (a VAE's test set): kNN accuracy of the codes, per-class error of
 * their reconstructions (`errors`, one per code), active units and the test ELBO's parts.
 */
export async function labelledAnalysis(
  codes: readonly (readonly number[])[],
  labels: readonly number[],
  errors: readonly number[],
  elbo: RunMetrics['elbo'],
  projection: ProjectionMethod | null,
  seed: number
): Promise<Analysis> {
  await yieldToRequests()
  const sample = spreadEvenly(
    codes.map((_, i) => i),
    KNN_MAX_CODES
  )
  return {
    latent: codes[0]?.length ?? 0,
    metrics: {
      codes: codes.length,
      knn:
        sample.length >= 2
          ? {
              k: KNN_K,
              accuracy: knnAccuracy(
                sample.map((i) => codes[i]!),
                sample.map((i) => labels[i]!)
              ),
              codes: sample.length
            }
          : null,
      perClass: perClassError(errors, labels),
      activeUnits: activeUnits(codes),
      elbo
    },
    baseline: null,
    projection: projection ? await projectCodes(codes, projection, seed) : null
  }
}
