import { cvaeExperimentSchema, type ExperimentOf } from '../../shared/experiments'
import { IMAGE_PIXELS } from '../../shared/schemas'
import { loadTrainingImages } from '../data/datasets'
import { testLossParts } from '../image-vae-training'
import type { Model } from '../inference'
import { trainCvae } from '../train-cvae'
import { createCvae, cvaeLoss, cvaeSpecs, type CvaeModel, type CvaeShape } from '../cvae'
import { catalog } from './catalog'
import {
  denseVaeNetworks,
  denseVaeShape,
  elboLines,
  imageTestSet,
  imageVaeResults,
  imageVaeLine,
  modelOfKind,
  testSetCodes,
  trainImageVae
} from './image-vae'
import type { ModelKind } from './types'

// The conditional VAE (issue 16 item 6) on a labelled image set (MNIST, Fashion-MNIST or an
// imported one): the dense VAE with the class one-hot fed to its encoder and decoder (cvae.ts),
// trained on tfjs ops (train-cvae.ts). It reports, saves and explores as the VAE does
// (image-vae.ts); encoding and decoding take a class (ml/inference.ts), the test set encodes
// with its own labels.

const shapeOf = (e: ExperimentOf<'cvae'>): CvaeShape => ({
  ...denseVaeShape(e),
  classes: e.classes
})

const cvaeOf = (model: Model): CvaeModel => modelOfKind(model, 'cvae')

/** Mean reconstruction BCE and KL per image over a labelled set, with seeded draws. */
export function cvaeTestLoss(
  model: CvaeModel,
  data: { count: number; images: Uint8Array; labels: Uint8Array; size: number },
  seed: number
): { reconstruction: number; kl: number } {
  const { latent, classes } = model.shape
  return testLossParts(data, { latent, classes, seed }, (x, eps, y) => cvaeLoss(model, x, y!, eps))
}

export const cvaeKind: ModelKind<'cvae'> = {
  kind: 'cvae',
  schema: cvaeExperimentSchema,
  ...catalog.cvae,

  async train(experiment, datasetsDir, hooks) {
    const test = await imageTestSet(datasetsDir, experiment)
    // In memory, or read from disk a batch at a time (a set over the in-memory limit).
    const train = await loadTrainingImages(datasetsDir, experiment.dataset, {
      hash: experiment.datasetHash
    })
    return trainImageVae(experiment, hooks, test, true, (callbacks) =>
      trainCvae(train, experiment, callbacks).finally(() => train.close())
    )
  },

  ...denseVaeNetworks('cvae', shapeOf, cvaeSpecs, createCvae),

  results: imageVaeResults,

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await imageTestSet(datasetsDir, experiment)
    const parts = cvaeTestLoss(cvaeOf(model), { ...test, size: IMAGE_PIXELS }, experiment.seed)
    return elboLines(experiment, record, parts, { details: `${experiment.classes} classes, ` })
  },

  // Its progress is the VAE's, and so is its line.
  line: imageVaeLine,

  /** The latent means of the test set (its first 10,000 images), each encoded with its class. */
  async testSet(model, experiment, datasetsDir) {
    return testSetCodes(model, await imageTestSet(datasetsDir, experiment), true, 1000)
  }
}
