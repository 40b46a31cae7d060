import { convVaeExperimentSchema, type ExperimentOf } from '../../shared/experiments'
import { checkSavedConvNetwork, conditionClasses } from '../conv-architecture'
import { convVaeLoss, convVaeOf, type ConvVaeModel } from '../conv-vae'
import { loadTrainingImages, type ImageSet } from '../data/datasets'
import { loadLayersModel, saveLayersModel } from '../export'
import { testLossParts } from '../image-vae-training'
import type { Model } from '../inference'
import { trainConvVae } from '../train-conv-vae'
import { catalog } from './catalog'
import {
  elboLines,
  imageTestSet,
  imageVaeResults,
  imageVaeLine,
  modelOfKind,
  testSetCodes,
  trainImageVae,
  valuesOf
} from './image-vae'
import type { ModelKind, Networks } from './types'

// The convolutional VAE (the Keras VAE example's architecture, conv-architecture.ts) on MNIST,
// Fashion-MNIST or an imported set of any square size, grey or RGB: mini-batches on tfjs
// autodiff, progress within each epoch, the reconstructions of a few fixed test images after
// each epoch, and the test set's latent means for exploring, as the dense VAE (image-vae.ts).
// A conditional one (`conditional`, issue 16 item 6) takes the class one-hot in its encoder (as
// more input channels) and its decoder (beside the latent point), and explores as cvae.ts.

type ConvVaeExperiment = ExperimentOf<'conv-vae'>

const convOf = (model: Model): ConvVaeModel => modelOfKind(model, 'conv-vae')

/** Mean reconstruction BCE and KL per image over a test set, with seeded reparameterisation draws. */
export function convVaeTestLoss(
  model: ConvVaeModel,
  set: ImageSet,
  seed: number
): { reconstruction: number; kl: number } {
  const { inputSize: size, latent, classes } = model.shape
  if (set.count > 0 && valuesOf(set) !== size)
    throw new Error(
      `the model takes ${model.shape.size}x${model.shape.size}x${model.shape.channels} images; the test set has ${set.side}x${set.side}x${set.channels}`
    )
  return testLossParts(
    { count: set.count, images: set.images, labels: set.labels, size },
    { latent, classes, seed },
    (x, eps, y) => convVaeLoss(model, x, eps, y)
  )
}

const architecture = (e: ConvVaeExperiment) => ({
  filters: e.filters,
  dense: e.dense,
  latent: e.latent,
  classes: conditionClasses(e)
})

export const convVaeKind: ModelKind<'conv-vae'> = {
  kind: 'conv-vae',
  schema: convVaeExperimentSchema,
  ...catalog['conv-vae'],

  async train(experiment, datasetsDir, hooks) {
    const test = await imageTestSet(datasetsDir, experiment, true)
    // In memory, or read from disk a batch at a time (a set over the in-memory limit).
    const train = await loadTrainingImages(datasetsDir, experiment.dataset, {
      hash: experiment.datasetHash,
      anyShape: true
    })
    return trainImageVae(experiment, hooks, test, experiment.conditional, (callbacks) =>
      trainConvVae(train, experiment, callbacks).finally(() => train.close())
    )
  },

  async save(model): Promise<Networks> {
    const m = convOf(model)
    return {
      encoder: await saveLayersModel(m.encoder),
      decoder: await saveLayersModel(m.decoder)
    }
  },

  async load(experiment, networks) {
    const enc = networks['encoder']
    const dec = networks['decoder']
    if (!enc || !dec) throw new Error('this convolutional VAE run has no saved encoder and decoder')
    const shape = architecture(experiment)
    const image = checkSavedConvNetwork(enc, 'encoder', shape)
    const decoded = checkSavedConvNetwork(dec, 'decoder', shape)
    if (image.size !== decoded.size || image.channels !== decoded.channels)
      throw new Error(
        `the encoder takes ${image.size}x${image.size}x${image.channels} images and the decoder makes ${decoded.size}x${decoded.size}x${decoded.channels} ones`
      )
    const [encoder, decoder] = await Promise.all([loadLayersModel(enc), loadLayersModel(dec)])
    try {
      return convVaeOf({ ...shape, ...image }, encoder, decoder)
    } catch (error) {
      encoder.dispose()
      decoder.dispose()
      throw error
    }
  },

  results: imageVaeResults,

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await imageTestSet(datasetsDir, experiment, true)
    const m = convOf(model)
    const { size, channels } = m.shape
    const about = `conv ${experiment.filters.join('-')}, dense ${experiment.dense}, latent ${experiment.latent}, on ${size}x${size} ${channels === 1 ? 'grey' : 'RGB'} images`
    const classes = conditionClasses(experiment)
    return elboLines(experiment, record, convVaeTestLoss(m, test, experiment.seed), {
      details: classes > 0 ? `conditional, ${classes} classes, ` : '',
      about: [['architecture', about]]
    })
  },

  line: imageVaeLine,

  /** The latent means of the test set (its first 10,000 images), encoded in batches. */
  async testSet(model, experiment, datasetsDir) {
    const set = await imageTestSet(datasetsDir, experiment, true)
    return testSetCodes(model, set, experiment.conditional, 500)
  }
}
