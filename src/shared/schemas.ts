import { z } from 'zod'
import { MAX_CLASSES, importedDatasetNameSchema } from './imported-dataset'

// Data shapes shared by every process. Each one is validated where it crosses a boundary.

export const GLYPH_ROWS = 7
export const GLYPH_COLS = 5
export const GLYPH_PIXELS = GLYPH_ROWS * GLYPH_COLS
export const IMAGE_SIDE = 28
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE

export const fontNameSchema = z.enum(['Font1', 'Font2', 'Font3'])
export type FontName = z.infer<typeof fontNameSchema>

export const pixelsSchema = z.array(z.number().min(0).max(1)).length(GLYPH_PIXELS)

export const glyphSchema = z.object({
  char: z.string().min(1).max(4),
  code: z.number().int().min(0).max(0x10ffff),
  pixels: pixelsSchema
})
export type Glyph = z.infer<typeof glyphSchema>

export const fontSchema = z.object({
  name: fontNameSchema,
  description: z.string(),
  glyphs: z.array(glyphSchema).min(1).max(256)
})
export type Font = z.infer<typeof fontSchema>

export const backendNameSchema = z.enum(['tensorflow', 'wasm', 'cpu'])
export type BackendName = z.infer<typeof backendNameSchema>

export const activationSchema = z.enum(['tanh', 'relu', 'elu', 'sigmoid', 'linear'])
export type Activation = z.infer<typeof activationSchema>

const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

export const optimizerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('adam'),
    beta1: z.number().min(0).max(0.9999).default(0.9),
    beta2: z.number().min(0).max(0.99999).default(0.999),
    epsilon: z.number().positive().max(1).default(1e-7)
  }),
  z.strictObject({
    kind: z.literal('sgd'),
    momentum: z.number().min(0).max(0.999).default(0.9),
    nesterov: z.boolean().default(false)
  }),
  z.strictObject({
    kind: z.literal('rmsprop'),
    decay: z.number().min(0).max(0.9999).default(0.9),
    momentum: z.number().min(0).max(0.999).default(0),
    epsilon: z.number().positive().max(1).default(1e-7)
  }),
  /** Full-batch L-BFGS: one epoch is one iteration with a line search; the learning rate is unused. */
  z.strictObject({
    kind: z.literal('lbfgs'),
    history: z.number().int().min(2).max(50).default(10)
  }),
  /** Powell's derivative-free method: one epoch is one sweep over all directions; small networks only. */
  z.strictObject({ kind: z.literal('powell') })
])
export type OptimizerConfig = z.output<typeof optimizerSchema>
export type OptimizerKind = OptimizerConfig['kind']
/** The optimizers that step along a gradient (the others are full-batch L-BFGS and Powell). */
export type FirstOrderConfig = Extract<OptimizerConfig, { kind: 'adam' | 'sgd' | 'rmsprop' }>

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({
    kind: z.literal('step'),
    every: z.number().int().min(1),
    factor: z.number().positive().max(1)
  }),
  z.strictObject({ kind: z.literal('exponential'), rate: z.number().positive().max(1) }),
  z.strictObject({ kind: z.literal('cosine'), minimum: z.number().min(0) })
])
export type LearningRateSchedule = z.output<typeof scheduleSchema>

export const noiseKindSchema = z.enum(['bitflip', 'salt-pepper', 'gaussian'])
export type NoiseKind = z.infer<typeof noiseKindSchema>

/** Corruption for a denoising autoencoder: `level` is p for bit flips and salt-and-pepper, sigma for gaussian. */
export const noiseSchema = z.strictObject({
  kind: noiseKindSchema,
  level: z.number().min(0).max(2),
  copies: z.number().int().min(1).max(200).default(1),
  /** Draw the noise afresh each epoch (true) or once before training (false). */
  fresh: z.boolean().default(false),
  seed: seedSchema.default(1)
})
export type NoiseConfig = z.output<typeof noiseSchema>

/** A letters-autoencoder run: the architecture, the optimiser settings and the stop rule. */
export const letterTrainFields = z.strictObject({
  /** One of the lab's character sets; not needed when `glyphs` is given. */
  font: fontNameSchema.optional(),
  /** Glyphs to train on instead of a lab character set: drawn in the editor, or imported. */
  glyphs: z.array(glyphSchema).min(1).max(256).optional(),
  /** The name of the set in `glyphs` (e.g. "Font1 (font.h)"): runs are labelled with it. */
  fontName: z.string().trim().min(1).max(80).optional(),
  /** Indices of the glyphs to train on; all of them when absent. */
  subset: z.array(z.number().int().min(0).max(255)).min(1).max(256).optional(),
  hidden: z.array(z.number().int().min(1).max(512)).min(0).max(6),
  /** Decoder hidden layers; the encoder's, mirrored, when absent. */
  decoderHidden: z.array(z.number().int().min(1).max(512)).max(6).optional(),
  latent: z.number().int().min(1).max(16),
  activation: activationSchema,
  latentActivation: activationSchema.default('linear'),
  decoderActivation: activationSchema.optional(),
  optimizer: optimizerSchema.default({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
  learningRate: z.number().positive().max(10),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  epochs: z.number().int().min(1).max(1_000_000),
  /** Stop early once every glyph has at most this many wrong pixels (output thresholded at 0.5). */
  maxWrongPixels: z.number().int().min(0).max(GLYPH_PIXELS).nullable(),
  seed: seedSchema,
  /** Train as a denoising autoencoder on inputs corrupted this way. */
  noise: noiseSchema.nullable().default(null)
})
/** A glyph run names what it trains on: a lab character set, or its own glyphs. */
export const needsGlyphs = {
  message: 'give "font" (Font1, Font2 or Font3), "glyphs" or "fontFile"',
  path: ['font'],
  // Checked alongside the other fields, so that every missing field is reported at once.
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null
}
export const hasGlyphs = (c: { font?: unknown; glyphs?: unknown }): boolean =>
  c.font !== undefined || c.glyphs !== undefined
export const letterTrainConfigSchema = letterTrainFields.refine(hasGlyphs, needsGlyphs)
export type LetterTrainConfig = z.output<typeof letterTrainConfigSchema>
export type LetterTrainInput = z.input<typeof letterTrainConfigSchema>

/**
 * The default letters recipe, chosen by measuring time to "every glyph within 1 wrong pixel"
 * over 3 fonts x 5 seeds: wider and shallower than the course's 25-15-10, it solves in about
 * 130 epochs instead of about 900, with fewer ops per epoch (README, Benchmarks).
 */
export const defaultLetterConfig: LetterTrainConfig = {
  font: 'Font2',
  hidden: [64, 32],
  latent: 2,
  activation: 'tanh',
  latentActivation: 'linear',
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  learningRate: 0.02,
  schedule: { kind: 'constant' },
  epochs: 5000,
  maxWrongPixels: 1,
  seed: 1,
  noise: null
}

/** Threads of the wasm backend's pool (tfjs creates at most 8 pthread workers). */
export const threadCountSchema = z.number().int().min(1).max(8)

/** `--threads N` from the command line, checked. */
export function parseThreads(value: string): number {
  const parsed = threadCountSchema.safeParse(Number(value))
  if (!parsed.success)
    throw new Error(`--threads must be a whole number from 1 to 8, not "${value}"`)
  return parsed.data
}

export const imageDatasetIdSchema = z.enum(['mnist', 'fashion-mnist'])
export type ImageDatasetId = z.infer<typeof imageDatasetIdSchema>

/** A data set the VAE trains on: a built-in one, or one imported into the workspace, by name. */
export const datasetNameSchema = z.union([imageDatasetIdSchema, importedDatasetNameSchema])
export type DatasetName = z.infer<typeof datasetNameSchema>

export const isBuiltInDataset = (name: string): name is ImageDatasetId =>
  (imageDatasetIdSchema.options as readonly string[]).includes(name)

/** What a session records of an imported data set: the sha256 of its prepared files. */
export const datasetHashSchema = z.string().regex(/^[0-9a-f]{64}$/)

/** The ten class names of each image data set, by label. */
export const CLASS_NAMES: Record<ImageDatasetId, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot'
  ]
}

/** A variational autoencoder on MNIST, Fashion-MNIST or an imported set of 28x28 grey images. */
/** The widest VAE latent space; decode requests and saved probes take points this long. */
export const MAX_VAE_LATENT = 32

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

export const runIdSchema = z.string().regex(/^run-[0-9a-z-]{1,40}$/)

export const lossPointSchema = z.tuple([z.number().int().min(0), z.number()])

export const trainingProgressSchema = z.object({
  runId: runIdSchema,
  epoch: z.number().int().min(0),
  /** Loss points [epoch, loss] since the previous progress event, so the full curve is kept. */
  points: z.array(lossPointSchema),
  maxWrongPixels: z.number().int().min(0),
  epochsPerSecond: z.number().min(0),
  elapsedSeconds: z.number().min(0),
  paused: z.boolean(),
  /** A long epoch in progress (epoch + 1): how many of its slices are done. */
  within: z.object({ slice: z.number().int().min(1), slices: z.number().int().min(2) }).optional()
})
export type TrainingProgress = z.infer<typeof trainingProgressSchema>

export const glyphResultSchema = z.object({
  char: z.string(),
  latent: z.array(z.number()),
  reconstruction: z.array(z.number()).length(GLYPH_PIXELS),
  wrongPixels: z.number().int().min(0).max(GLYPH_PIXELS)
})
export type GlyphResult = z.infer<typeof glyphResultSchema>

const noiseEvaluationSchema = z.object({
  copies: z.number().int().min(1),
  /** Per pattern, mean wrong pixels of the noisy input and of the denoised output. */
  wrongBefore: z.array(z.number().min(0)),
  wrongAfter: z.array(z.number().min(0)),
  meanWrongBefore: z.number().min(0),
  meanWrongAfter: z.number().min(0),
  maxWrongAfter: z.number().min(0),
  /** Share of noisy inputs denoised with no wrong pixel. */
  exactShare: z.number().min(0).max(1)
})

/** How well a denoising autoencoder removes its kind of noise: on the training draw and on fresh noise. */
export const denoisingSummarySchema = z.object({
  trainNoise: noiseEvaluationSchema,
  freshNoise: noiseEvaluationSchema
})
export type DenoisingSummary = z.infer<typeof denoisingSummarySchema>

export const runStatusSchema = z.enum(['completed', 'solved', 'stopped', 'diverged', 'failed'])
export type RunStatus = z.infer<typeof runStatusSchema>

export const trainingDoneSchema = z.object({
  runId: runIdSchema,
  status: runStatusSchema,
  message: z.string(),
  backend: backendNameSchema,
  epochs: z.number().int().min(0),
  seconds: z.number().min(0),
  finalLoss: z.number().nullable(),
  glyphs: z.array(glyphResultSchema),
  denoising: denoisingSummarySchema.nullable()
})
export type TrainingDone = z.infer<typeof trainingDoneSchema>

export const labInfoSchema = z.object({
  host: z.enum(['electron', 'browser']),
  backend: backendNameSchema,
  backendNote: z.string(),
  versions: z.record(z.string(), z.string())
})
export type LabInfo = z.infer<typeof labInfoSchema>

export const datasetSummarySchema = z.object({
  id: datasetNameSchema,
  /** Built into the lab, or imported into the workspace (with its content hash). */
  origin: z.enum(['built-in', 'imported']),
  contentHash: datasetHashSchema.nullable(),
  available: z.boolean(),
  train: z.number().int().min(0),
  test: z.number().int().min(0),
  classNames: z.array(z.string()).min(1).max(MAX_CLASSES),
  message: z.string()
})
export type DatasetSummary = z.infer<typeof datasetSummarySchema>

/** A latent point of any model the lab trains (a VAE's latent is the widest). */
const latentPointSchema = z.array(z.number().finite().min(-1e6).max(1e6)).min(1).max(MAX_VAE_LATENT)

/** Decode latent points with a trained letters run's decoder. */
export const decodeRequestSchema = z.strictObject({
  runId: runIdSchema,
  points: z.array(latentPointSchema).min(1).max(4096)
})
export type DecodeRequest = z.infer<typeof decodeRequestSchema>

/** A pattern for a model's input: 35 pixels (letters) or 784 (MNIST), values in [0, 1]. */
const anyPatternSchema = z
  .array(z.number().min(0).max(1))
  .refine(
    (p) => p.length === GLYPH_PIXELS || p.length === IMAGE_PIXELS,
    'a pattern has 35 or 784 values'
  )

/** Encode (and reconstruct) patterns with a trained run; the worker checks the size against the model. */
export const encodeRequestSchema = z.strictObject({
  runId: runIdSchema,
  patterns: z.array(anyPatternSchema).min(1).max(1024)
})
export type EncodeRequest = z.infer<typeof encodeRequestSchema>

export const decodeResultSchema = z.object({ patterns: z.array(anyPatternSchema) })
export const encodeResultSchema = z.object({
  points: z.array(z.array(z.number())),
  reconstructions: z.array(anyPatternSchema)
})
export type DecodeResult = z.infer<typeof decodeResultSchema>
export type EncodeResult = z.infer<typeof encodeResultSchema>

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
  /** Reconstructions of a few fixed test images after this epoch (784 values each). */
  reconstructions: z.array(z.array(z.number().min(0).max(1)).length(IMAGE_PIXELS)).max(16)
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
  engine: z.string().max(500).optional()
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

export const datasetImagesRequestSchema = z.strictObject({
  dataset: datasetNameSchema,
  split: z.enum(['train', 'test']),
  indices: z.array(z.number().int().min(0).max(99_999_999)).min(1).max(256)
})
export const datasetImagesResultSchema = z.object({
  images: z.array(z.array(z.number().int().min(0).max(255)).length(IMAGE_PIXELS)),
  labels: z.array(
    z
      .number()
      .int()
      .min(0)
      .max(MAX_CLASSES - 1)
  )
})

/** What the user was looking at, saved with the session so it reopens as it was. */
export const sessionViewSchema = z.object({
  lab: z.enum(['letters', 'denoising', 'vae']).default('letters'),
  selectedRunId: runIdSchema.nullable().default(null),
  compared: z.array(runIdSchema).max(500).default([]),
  letters: z
    .object({
      gridSize: z.number().int().min(2).max(30).default(12),
      dims: z
        .tuple([z.number().int().min(0).max(15), z.number().int().min(0).max(15)])
        .default([0, 1]),
      probe: z.array(z.number().finite()).max(16).nullable().default(null),
      interpolation: z
        .object({
          from: z.number().int().min(0).max(255),
          to: z.number().int().min(0).max(255),
          steps: z.number().int().min(2).max(30)
        })
        .default({ from: 1, to: 2, steps: 8 }),
      /** The pixel editor's drawing (none when the editor is empty). */
      drawing: z.array(z.number().min(0).max(1)).length(GLYPH_PIXELS).nullable().default(null)
    })
    .default({
      gridSize: 12,
      dims: [0, 1],
      probe: null,
      interpolation: { from: 1, to: 2, steps: 8 },
      drawing: null
    }),
  noise: noiseSchema.nullable().default(null),
  vae: z
    .object({
      runId: runIdSchema.nullable().default(null),
      gridSize: z.number().int().min(2).max(30).default(15),
      spacing: z.enum(['even', 'normal']).default('normal'),
      waypoints: z.array(z.array(z.number().finite()).max(MAX_VAE_LATENT)).max(50).default([]),
      pathSteps: z.number().int().min(2).max(20).default(6),
      probe: z.array(z.number().finite()).max(MAX_VAE_LATENT).nullable().default(null)
    })
    .default({
      runId: null,
      gridSize: 15,
      spacing: 'normal',
      waypoints: [],
      pathSteps: 6,
      probe: null
    })
})
export type SessionView = z.output<typeof sessionViewSchema>
export type SessionViewInput = z.input<typeof sessionViewSchema>

/** A workspace file name: letters, digits, space, dot, dash, underscore; no folders. */
export const sessionNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[\w][\w .-]*$/, 'use letters, digits, spaces, dots, dashes and underscores only')
