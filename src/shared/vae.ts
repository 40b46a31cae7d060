import { z } from 'zod'
import { MAX_CLASSES } from './imported-dataset'
import { MAX_IMAGE_VALUES, datasetHashSchema, datasetNameSchema } from './image-datasets'
import { runMetricsSchema } from './latent-analysis'
import { runIdSchema, runStatusSchema } from './runs'
import {
  activationSchema,
  backendNameSchema,
  optimizerSchema,
  scheduleSchema,
  seedSchema
} from './training-options'

// A variational autoencoder's recipe, its run as it reaches the page (per epoch and within an
// epoch, and its end), and its test set's latent codes.

/** The widest VAE latent space; decode requests and saved probes take points this long. */
export const MAX_VAE_LATENT = 32

/** A variational autoencoder on MNIST, Fashion-MNIST or an imported set of 28x28 grey images. */
export const vaeTrainConfigSchema = z.strictObject({
  dataset: datasetNameSchema,
  /**
   * An imported set's content hash when the run was started (the lab fills it in), so a session
   * whose data set was changed or removed since says so when it is opened.
   */
  datasetHash: datasetHashSchema.optional(),
  trainSize: z.number().int().min(128).max(60000).default(60000),
  hidden: z.array(z.number().int().min(1).max(2048)).min(1).max(4).default([256]),
  latent: z.number().int().min(1).max(MAX_VAE_LATENT).default(2),
  activation: activationSchema.default('relu'),
  beta: z.number().min(0).max(100).default(1),
  epochs: z.number().int().min(1).max(1000).default(50),
  batchSize: z.number().int().min(8).max(4096).default(128),
  learningRate: z.number().positive().max(1).default(0.001),
  optimizer: optimizerSchema.default({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  seed: seedSchema.default(1)
})
export type VaeTrainConfig = z.output<typeof vaeTrainConfigSchema>

/** Live VAE progress, once per epoch. */
export const vaeProgressSchema = z.object({
  runId: runIdSchema,
  epoch: z.number().int().min(0),
  epochs: z.number().int().min(1),
  loss: z.number(),
  reconstruction: z.number(),
  kl: z.number(),
  samplesPerSecond: z.number().min(0),
  elapsedSeconds: z.number().min(0),
  /** Reconstructions of a few fixed test images after this epoch (784 values each for MNIST). */
  reconstructions: z.array(z.array(z.number().min(0).max(1)).min(1).max(MAX_IMAGE_VALUES)).max(16)
})
export type VaeProgress = z.infer<typeof vaeProgressSchema>

/** Where a VAE run is within an epoch (sent about twice a second, and at its first batch). */
export const vaeBatchProgressSchema = z.object({
  runId: runIdSchema,
  /** The epoch in progress, from 1. */
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  /** Batches done in this epoch, of `batches`. */
  batch: z.number().int().min(0),
  batches: z.number().int().min(1),
  samplesPerSecond: z.number().min(0),
  elapsedSeconds: z.number().min(0)
})
export type VaeBatchProgress = z.infer<typeof vaeBatchProgressSchema>

export const vaeDoneSchema = z.object({
  runId: runIdSchema,
  status: runStatusSchema,
  message: z.string(),
  backend: backendNameSchema,
  epochs: z.number().int().min(0),
  seconds: z.number().min(0),
  finalLoss: z.number().nullable(),
  /** The engine the run trained on, and why (timed at its start: ml/vae-engine.ts). */
  engine: z.string().max(500).optional(),
  /** The test codes' metrics, measured as the run ended (absent: not measured). */
  metrics: runMetricsSchema.nullable().optional()
})
export type VaeDone = z.infer<typeof vaeDoneSchema>

/** The test set's latent means, for the scatter. */
export const vaeTestSetResultSchema = z.object({
  points: z.array(z.array(z.number())).max(10000),
  labels: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(MAX_CLASSES - 1)
    )
    .max(10000)
})
export type VaeTestSetResult = z.infer<typeof vaeTestSetResultSchema>
