import { z } from 'zod'
import { runIdSchema } from './runs'

// Latent-space analysis of a trained run (issue 17 item 4): the run's metrics (kNN class
// accuracy of its codes, reconstruction error per class, active latent units, a VAE's test
// ELBO in its two parts), the PCA baseline of a glyph run's inputs (the linear code of the
// same size, to set beside the autoencoder's plane) and a 2-D projection (PCA or UMAP) of
// codes with more than two dimensions. Computed by src/ml/latent-analysis.ts in the worker
// that holds the run; this is the reply's one schema.

const finite = z.number().refine(Number.isFinite, 'must be a finite number')
const point2 = z.tuple([finite, finite])

/** The 2-D views of a latent space with more than two dimensions. */
export const projectionMethodSchema = z.enum(['pca', 'umap'])
export type ProjectionMethod = z.infer<typeof projectionMethodSchema>

export const latentAnalysisRequestSchema = z.strictObject({
  runId: runIdSchema,
  /** The 2-D projection of the codes to compute (none: metrics and baseline only). */
  projection: projectionMethodSchema.nullable().default(null)
})
export type LatentAnalysisRequest = z.input<typeof latentAnalysisRequestSchema>

/** What a run's latent codes say, the same record for every kind (null: not measured for it). */
export const runMetricsSchema = z.object({
  /** How many codes the figures are over (glyphs; a VAE's test images). */
  codes: z.number().int().min(0),
  /** Leave-one-out k-nearest-neighbour accuracy of the codes' classes (labelled data only). */
  knn: z
    .object({ k: z.number().int().min(1), accuracy: finite, codes: z.number().int().min(0) })
    .nullable(),
  /** Mean squared error per pixel of each class's reconstructions (labelled data only). */
  perClass: z
    .array(z.object({ label: z.number().int().min(0), count: z.number().int(), error: finite }))
    .max(1000)
    .nullable(),
  /** Latent units whose code (a VAE's encoder mean) varies across the data by more than `threshold`. */
  activeUnits: z.object({
    threshold: finite,
    count: z.number().int().min(0),
    variances: z.array(finite).max(64)
  }),
  /** A VAE's test negative ELBO per image and its two parts (BCE reconstruction, KL). */
  elbo: z.object({ reconstruction: finite, kl: finite, negativeElbo: finite }).nullable()
})
export type RunMetrics = z.infer<typeof runMetricsSchema>

/** The errors of a reconstruction of the glyphs: wrong pixels per glyph and squared error. */
const reconstructionErrorSchema = z.object({
  wrongPixels: z.array(z.number().int().min(0)).max(256),
  /** Mean squared error per pixel. */
  meanSquaredError: finite
})
export type ReconstructionError = z.infer<typeof reconstructionErrorSchema>

/** PCA of the glyphs beside the autoencoder: its plane and its error at the same latent size. */
export const pcaBaselineSchema = z.object({
  /** The glyphs on the first two principal components, in the order of the run's results. */
  points: z.array(point2).max(256),
  /** Share of the glyphs' variance along each of the first `components` directions. */
  explained: z.array(finite).max(64),
  /** As many components as the run's latent size. */
  components: z.number().int().min(1),
  pca: reconstructionErrorSchema,
  network: reconstructionErrorSchema
})
export type PcaBaseline = z.infer<typeof pcaBaselineSchema>

export const projectionSchema = z.object({
  method: projectionMethodSchema,
  /** The projected codes: `points[i]` is code `indices[i]` (glyph order; a VAE's test set order). */
  points: z.array(point2).max(10_000),
  indices: z.array(z.number().int().min(0)).max(10_000),
  /** PCA: the codes' mean and the two directions, to take a point of the plane back to a code. */
  inverse: z
    .object({
      mean: z.array(finite).max(64),
      components: z.array(z.array(finite).max(64)).length(2)
    })
    .nullable(),
  /** What the projection is, in words (UMAP: a subsample, seeded; no inverse). */
  note: z.string().max(400),
  seconds: finite.min(0)
})
export type Projection = z.infer<typeof projectionSchema>

export const latentAnalysisSchema = z.object({
  runId: runIdSchema,
  latent: z.number().int().min(1),
  metrics: runMetricsSchema,
  baseline: pcaBaselineSchema.nullable(),
  projection: projectionSchema.nullable()
})
export type LatentAnalysis = z.infer<typeof latentAnalysisSchema>

/** A point (x, y) of a PCA projection's plane taken back to a full code: mean + x u1 + y u2. */
export function liftPoint(
  inverse: NonNullable<Projection['inverse']>,
  x: number,
  y: number
): number[] {
  const [u1, u2] = inverse.components
  return inverse.mean.map((m, i) => m + x * (u1![i] ?? 0) + y * (u2![i] ?? 0))
}
