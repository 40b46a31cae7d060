import { vaeExperimentSchema } from '../../shared/experiments'
import { IMAGE_PIXELS } from '../../shared/schemas'
import { loadTrainingImages } from '../data/datasets'
import { testLossParts } from '../image-vae-training'
import { decode, encode, type Model } from '../inference'
import { labelledAnalysis, projectCodes, yieldToRequests } from '../latent-analysis'
import { elboParts, rowSquaredErrors } from '../metrics'
import { trainVae } from '../train-vae'
import { createVae, vaeLoss, vaeSpecs, type VaeModel } from '../vae'
import { catalog } from './catalog'
import {
  denseVaeNetworks,
  denseVaeShape,
  elboLines,
  imageTestSet,
  imageVaeResults,
  imageVaeLine,
  MAX_TEST_POINTS,
  modelOfKind,
  scaledImages,
  testSetCodes,
  trainImageVae
} from './image-vae'
import type { ModelKind } from './types'

// The variational autoencoder (part 3) on MNIST, Fashion-MNIST or an imported set: mini-batches, progress within
// each epoch, the reconstructions of a few fixed test images after each epoch, and the test
// set's latent means for exploring (what the image VAE kinds share: image-vae.ts).

/** A run's metrics (latentAnalysis) are over this many test images, the first ones. */
const METRIC_IMAGES = 2000

const vaeOf = (model: Model): VaeModel => modelOfKind(model, 'vae')

/** Mean reconstruction BCE and KL per image over a data set, with seeded reparameterisation draws. */
export function vaeTestLoss(
  model: VaeModel,
  data: { count: number; images: Uint8Array; size: number },
  beta: number,
  seed: number
): { reconstruction: number; kl: number } {
  return testLossParts(data, { latent: model.shape.latent, classes: 0, seed }, (x, eps) =>
    vaeLoss(model, x, eps)
  )
}

export const vaeKind: ModelKind<'vae'> = {
  kind: 'vae',
  schema: vaeExperimentSchema,
  ...catalog.vae,

  async train(experiment, datasetsDir, hooks) {
    const test = await imageTestSet(datasetsDir, experiment)
    // In memory, or read from disk a batch at a time (a set over the in-memory limit).
    const train = await loadTrainingImages(datasetsDir, experiment.dataset, {
      hash: experiment.datasetHash
    })
    return trainImageVae(experiment, hooks, test, false, (callbacks) =>
      trainVae(train, experiment, callbacks).finally(() => train.close())
    )
  },

  ...denseVaeNetworks('vae', denseVaeShape, vaeSpecs, createVae),

  results: imageVaeResults,

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await imageTestSet(datasetsDir, experiment)
    const parts = vaeTestLoss(
      vaeOf(model),
      { ...test, size: IMAGE_PIXELS },
      experiment.beta,
      experiment.seed
    )
    return elboLines(experiment, record, parts)
  },

  line: imageVaeLine,

  /** The latent means of the test set (its first 10,000 images), encoded in batches. */
  async testSet(model, experiment, datasetsDir) {
    return testSetCodes(model, await imageTestSet(datasetsDir, experiment), false, 1000)
  },

  /**
   * Metrics on the first 2,000 test images (their codes' kNN accuracy and active units, per-class
   * error, the negative ELBO's parts): seconds of the worker, not tens, beside a probe; a
   * projection takes the codes of all the test points the plane shows.
   */
  async analyze(model, experiment, datasetsDir, projection) {
    const set = await imageTestSet(datasetsDir, experiment)
    const count = Math.min(set.count, projection ? MAX_TEST_POINTS : METRIC_IMAGES)
    const codes: number[][] = []
    const errors: number[] = []
    for (let start = 0; start < count; start += 500) {
      const batch = scaledImages(set, start, Math.min(count, start + 500))
      const mu = encode(model, batch)
      codes.push(...mu)
      if (start < METRIC_IMAGES)
        errors.push(...rowSquaredErrors(decode(model, mu).flat(), batch.flat(), IMAGE_PIXELS))
      // The explorer's decodes (a probe being dragged) go between batches.
      await yieldToRequests()
    }
    const measured = Math.min(count, METRIC_IMAGES)
    const { reconstruction, kl } = vaeTestLoss(
      vaeOf(model),
      {
        count: measured,
        images: set.images.subarray(0, measured * IMAGE_PIXELS),
        size: IMAGE_PIXELS
      },
      experiment.beta,
      experiment.seed
    )
    const labels = Array.from(set.labels.subarray(0, count))
    const analysis = await labelledAnalysis(
      codes.slice(0, measured),
      labels.slice(0, measured),
      errors.slice(0, measured),
      elboParts(reconstruction, kl),
      null,
      experiment.seed
    )
    return {
      ...analysis,
      projection: projection ? await projectCodes(codes, projection, experiment.seed) : null
    }
  }
}
