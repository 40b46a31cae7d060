import { z } from 'zod'
import {
  checkRunGrid,
  hasGlyphs,
  letterTrainFields,
  needsGlyphs,
  noiseSchema,
  vaeTrainConfigSchema
} from './schemas'
import { sweepTagSchema } from './sweep-tag'
import { MAX_CLASSES } from './imported-dataset'

// What a run trains, one schema per model kind: the `startRun` request, an experiment file for
// `lab train`, and each run of a session file all carry one. The model-kind registry
// (src/ml/kinds) gives each kind its behaviour; this file is the part every process shares.

/** An experiment file may take its glyphs from a `.h` header or glyph JSON (the CLI reads it). */
const glyphSource = {
  name: z.string().min(1).max(200).optional(),
  /** A `.h` or glyph JSON file, relative to the experiment file; read into `glyphs`. */
  fontFile: z.string().min(1).max(1000).optional(),
  // `fontName` picks one array of a fontFile holding several, and names the set.
  fontName: z.string().trim().min(1).max(80).optional(),
  /** The sweep this run belongs to, and its values there (src/shared/sweep.ts). */
  sweep: sweepTagSchema.optional()
}
const glyphSourceGiven = (c: { font?: unknown; glyphs?: unknown; fontFile?: unknown }): boolean =>
  hasGlyphs(c) || c.fontFile !== undefined

/** The letters autoencoder of part 1 of the practical. */
export const autoencoderExperimentSchema = letterTrainFields
  .extend({ kind: z.literal('autoencoder'), ...glyphSource })
  .refine(glyphSourceGiven, needsGlyphs)
  .superRefine(checkRunGrid)

/** The denoising autoencoder of part 2: the same network, trained on corrupted glyphs. */
export const denoisingExperimentSchema = letterTrainFields
  .extend({ kind: z.literal('denoising'), noise: noiseSchema, ...glyphSource })
  .refine(glyphSourceGiven, needsGlyphs)
  .superRefine(checkRunGrid)

/**
 * The linear autoencoder the practical starts from: the letters network without activations
 * (the output keeps its sigmoid: the loss is the pixels' cross-entropy), to compare with PCA.
 */
export const linearExperimentSchema = letterTrainFields
  .extend({
    kind: z.literal('linear'),
    activation: z.literal('linear').default('linear'),
    latentActivation: z.literal('linear').default('linear'),
    decoderActivation: z.literal('linear').optional(),
    noise: z.null().default(null),
    ...glyphSource
  })
  .refine(glyphSourceGiven, needsGlyphs)
  .superRefine(checkRunGrid)

/** The variational autoencoder of part 3, on MNIST or Fashion-MNIST. */
export const vaeExperimentSchema = vaeTrainConfigSchema.extend({
  kind: z.literal('vae'),
  name: z.string().min(1).max(200).optional(),
  /** The sweep this run belongs to, and its values there (src/shared/sweep.ts). */
  sweep: sweepTagSchema.optional()
})

/**
 * The conditional VAE (issue 16 item 6): the dense VAE with the class one-hot concatenated to
 * the encoder's input and to the decoder's, so it decodes a latent point for a chosen class.
 */
export const cvaeExperimentSchema = vaeTrainConfigSchema.extend({
  kind: z.literal('cvae'),
  name: z.string().min(1).max(200).optional(),
  /** Width of the one-hot: the data set's classes (an imported set's are filled in at start). */
  classes: z.number().int().min(1).max(MAX_CLASSES).default(10),
  /** The sweep this run belongs to, and its values there (src/shared/sweep.ts). */
  sweep: sweepTagSchema.optional()
})

/** Filters of a convolutional VAE's layers: each halves the image (stride 2). */
export const MAX_CONV_LAYERS = 4
export const MAX_CONV_FILTERS = 256

/**
 * A convolutional VAE (the Keras VAE example's architecture by default: conv 32 and 64 filters,
 * 3x3, stride 2, dense 16, a latent of 2; the decoder mirrored with transposed convolutions) on
 * any square image data set, grey or RGB, whose side the layers halve evenly.
 */
export const convVaeExperimentSchema = vaeTrainConfigSchema
  .omit({ hidden: true, activation: true })
  .extend({
    kind: z.literal('conv-vae'),
    name: z.string().min(1).max(200).optional(),
    /** The sweep this run belongs to, and its values there (src/shared/sweep.ts). */
    sweep: sweepTagSchema.optional(),
    /** Filters of the encoder's convolutions (the decoder's transposed ones, reversed). */
    filters: z
      .array(z.number().int().min(1).max(MAX_CONV_FILTERS))
      .min(1)
      .max(MAX_CONV_LAYERS)
      .default([32, 64]),
    /** Units of the dense layer between the convolutions and the latent statistics. */
    dense: z.number().int().min(1).max(1024).default(16),
    epochs: z.number().int().min(1).max(1000).default(10),
    /**
     * A conditional convolutional VAE (issue 16 item 6): the class one-hot fed to the encoder
     * (as more input channels) and to the decoder (beside the latent point).
     */
    conditional: z.boolean().default(false),
    /** A conditional run's one-hot width: the data set's classes (filled in at start). */
    classes: z.number().int().min(1).max(MAX_CLASSES).optional()
  })

export const experimentSchema = z.discriminatedUnion('kind', [
  autoencoderExperimentSchema,
  denoisingExperimentSchema,
  linearExperimentSchema,
  vaeExperimentSchema,
  cvaeExperimentSchema,
  convVaeExperimentSchema
])
export type Experiment = z.output<typeof experimentSchema>
export type ExperimentKind = Experiment['kind']
export type ExperimentOf<K extends ExperimentKind> = Extract<Experiment, { kind: K }>

/**
 * Which family each kind belongs to: glyph networks (the letters and denoising labs, the glyph
 * worker, results recomputed from the character sets) or image models (the VAE lab, the image
 * worker). Hosts and the page look a kind up here instead of naming kinds.
 */
export const kindFamily = {
  autoencoder: 'glyphs',
  denoising: 'glyphs',
  linear: 'glyphs',
  vae: 'images',
  cvae: 'images',
  'conv-vae': 'images'
} as const satisfies Record<ExperimentKind, 'glyphs' | 'images'>
export type KindFamily = (typeof kindFamily)[ExperimentKind]

/** The kinds of a family, e.g. `KindsOf<'images'>`. */
export type KindsOf<F extends KindFamily> = {
  [K in ExperimentKind]: (typeof kindFamily)[K] extends F ? K : never
}[ExperimentKind]

/**
 * Whether an event or a record is of one of a family's kinds, narrowing its type to them: a
 * lab's store takes its family's events by this, so a new kind of the family reaches it unnamed.
 */
export function inFamily<F extends KindFamily, T extends { kind: ExperimentKind }>(
  family: F,
  item: T
): item is Extract<T, { kind: KindsOf<F> }> {
  return kindFamily[item.kind] === family
}
