import * as tf from '@tensorflow/tfjs'
import { convVaeExperimentSchema, type ExperimentOf } from '../../shared/experiments'
import { gaussian } from '../../shared/noise'
import { mulberry32 } from '../../shared/random'
import { isBuiltInDataset } from '../../shared/schemas'
import { spreadEvenly } from '../../shared/spread'
import { checkSavedConvNetwork } from '../conv-architecture'
import { convVaeLoss, convVaeOf, type ConvVaeModel } from '../conv-vae'
import { loadImageSet, type ImageSet } from '../data/datasets'
import { loadLayersModel, saveLayersModel } from '../export'
import { decode, encode, type Model } from '../inference'
import { trainConvVae } from '../train-conv-vae'
import { batchPixels } from '../train-vae'
import { catalog } from './catalog'
import type { ModelKind, Networks } from './types'

// The convolutional VAE (the Keras VAE example's architecture, conv-architecture.ts) on MNIST,
// Fashion-MNIST or an imported set of any square size, grey or RGB: mini-batches on tfjs
// autodiff, progress within each epoch, the reconstructions of a few fixed test images after
// each epoch, and the test set's latent means for exploring, as the dense VAE (vae.ts).

type ConvVaeExperiment = ExperimentOf<'conv-vae'>

const FIXED_TEST_IMAGES = 8
const SAVED_EPOCH_IMAGES = 6
const MAX_TEST_POINTS = 10_000
const BATCH_PROGRESS_MS = 500

const testSets = new Map<string, Promise<ImageSet>>()

/** A data set's split at its own size and channels; a built-in test split is loaded once. */
function imageSet(
  datasetsDir: string,
  { dataset, datasetHash: hash }: ConvVaeExperiment,
  split: 'train' | 'test'
): Promise<ImageSet> {
  if (split === 'train' || !isBuiltInDataset(dataset))
    return loadImageSet(datasetsDir, dataset, split, { hash, anyShape: true })
  const key = `${datasetsDir}\u0000${dataset}`
  let set = testSets.get(key)
  if (!set) {
    set = loadImageSet(datasetsDir, dataset, 'test')
    testSets.set(key, set)
    set.catch(() => testSets.delete(key))
  }
  return set
}

const valuesOf = (set: ImageSet): number => set.side * set.side * set.channels

const scaled = (set: ImageSet, index: number): number[] => {
  const n = valuesOf(set)
  return Array.from(set.images.subarray(index * n, (index + 1) * n), (v) => v / 255)
}

function convOf(model: Model): ConvVaeModel {
  if (model.kind !== 'conv-vae') throw new Error('the run and its model do not match')
  return model
}

/** Mean reconstruction BCE and KL per image over a test set, with seeded reparameterisation draws. */
export function convVaeTestLoss(
  model: ConvVaeModel,
  set: ImageSet,
  seed: number
): { reconstruction: number; kl: number } {
  const batch = Math.min(500, set.count)
  if (batch === 0) throw new Error('the test set has no images')
  const size = model.shape.inputSize
  if (valuesOf(set) !== size)
    throw new Error(
      `the model takes ${model.shape.size}x${model.shape.size}x${model.shape.channels} images; the test set has ${set.side}x${set.side}x${set.channels}`
    )
  const random = mulberry32(seed ^ 0x7e57)
  const pixels = new Float32Array(batch * size)
  const noise = new Float32Array(batch * model.shape.latent)
  const data = { count: set.count, images: set.images, size }
  let recon = 0
  let kl = 0
  let seen = 0
  for (let start = 0; start + batch <= set.count; start += batch) {
    batchPixels(
      data,
      Array.from({ length: batch }, (_, i) => start + i),
      pixels
    )
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const step = convVaeLoss(
        model,
        tf.tensor2d(pixels, [batch, size]),
        tf.tensor2d(noise, [batch, model.shape.latent])
      )
      recon += step.reconstruction.dataSync()[0]! * batch
      kl += step.kl.dataSync()[0]! * batch
    })
    seen += batch
  }
  return { reconstruction: recon / seen, kl: kl / seen }
}

const architecture = (e: ConvVaeExperiment) => ({
  filters: e.filters,
  dense: e.dense,
  latent: e.latent
})

export const convVaeKind: ModelKind<'conv-vae'> = {
  kind: 'conv-vae',
  schema: convVaeExperimentSchema,
  ...catalog['conv-vae'],

  async train(experiment, datasetsDir, hooks) {
    const train = await imageSet(datasetsDir, experiment, 'train')
    const test = await imageSet(datasetsDir, experiment, 'test')
    const fixed = Array.from({ length: Math.min(FIXED_TEST_IMAGES, test.count) }, (_, i) =>
      scaled(test, i)
    )
    const epochImages: { epoch: number; images: number[][] }[] = []
    const run = await trainConvVae(train, experiment, {
      control: hooks.control(),
      onBatch: (epoch, batch, batches, samplesPerSecond) => {
        if (!hooks.due(BATCH_PROGRESS_MS)) return
        hooks.progress({
          at: 'batch',
          epoch,
          epochs: experiment.epochs,
          batch,
          batches,
          samplesPerSecond,
          elapsedSeconds: hooks.elapsed()
        })
      },
      onEpoch: (record, model) => {
        hooks.record({
          epoch: record.epoch,
          loss: record.loss,
          reconstruction: record.reconstruction,
          kl: record.kl,
          learningRate: record.learningRate,
          samplesPerSecond: record.samplesPerSecond
        })
        const reconstructions = decode(model, encode(model, fixed))
        epochImages.push({
          epoch: record.epoch,
          images: reconstructions.map((image) => image.map((v) => Math.round(v * 255)))
        })
        hooks.progress({
          at: 'epoch',
          epoch: record.epoch,
          epochs: experiment.epochs,
          loss: record.loss,
          reconstruction: record.reconstruction,
          kl: record.kl,
          samplesPerSecond: record.samplesPerSecond,
          elapsedSeconds: hooks.elapsed(),
          reconstructions
        })
      }
    })
    const { engine, ...outcome } = run.outcome
    return {
      model: run.model,
      outcome,
      result: { engine },
      record: {
        glyphs: null,
        denoising: null,
        ...(epochImages.length
          ? { epochImages: spreadEvenly(epochImages, SAVED_EPOCH_IMAGES) }
          : {})
      }
    }
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

  results: async () => ({ glyphs: null, denoising: null }),

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await loadImageSet(datasetsDir, experiment.dataset, 'test', {
      hash: experiment.datasetHash,
      anyShape: true
    })
    const m = convOf(model)
    const { reconstruction, kl } = convVaeTestLoss(m, test, experiment.seed)
    const { size, channels } = m.shape
    return [
      [
        'run',
        `${record.id} (${experiment.kind}, ${experiment.dataset}, ${record.status}, ${record.epochs} epochs)`
      ],
      [
        'architecture',
        `conv ${experiment.filters.join('-')}, dense ${experiment.dense}, latent ${experiment.latent}, on ${size}x${size} ${channels === 1 ? 'grey' : 'RGB'} images`
      ],
      ['test reconstruction (BCE per image)', reconstruction.toFixed(2)],
      ['test KL per image', kl.toFixed(2)],
      ['test loss (negative ELBO)', (reconstruction + experiment.beta * kl).toFixed(2)]
    ]
  },

  line: (p, experiment) =>
    p.at === 'epoch'
      ? {
          epoch: p.epoch,
          epochs: experiment.epochs,
          loss: p.loss,
          maxWrongPixels: null,
          samplesPerSecond: p.samplesPerSecond
        }
      : {
          epoch: p.epoch - 1,
          epochs: experiment.epochs,
          loss: null,
          maxWrongPixels: null,
          within: { batch: p.batch, batches: p.batches },
          samplesPerSecond: p.samplesPerSecond
        },

  /** The latent means of the test set (its first 10,000 images), encoded in batches. */
  async testSet(model, experiment, datasetsDir) {
    const set = await imageSet(datasetsDir, experiment, 'test')
    const count = Math.min(set.count, MAX_TEST_POINTS)
    const points: number[][] = []
    for (let start = 0; start < count; start += 500) {
      const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) =>
        scaled(set, start + i)
      )
      points.push(...encode(model, batch))
    }
    return { points, labels: Array.from(set.labels.subarray(0, count)) }
  }
}
