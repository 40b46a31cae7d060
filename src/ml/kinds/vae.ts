import * as tf from '@tensorflow/tfjs'
import { vaeExperimentSchema, type ExperimentOf } from '../../shared/experiments'
import { gaussian } from '../../shared/noise'
import { mulberry32 } from '../../shared/random'
import { IMAGE_PIXELS, isBuiltInDataset } from '../../shared/schemas'
import { spreadEvenly } from '../../shared/spread'
import { layout } from '../architecture'
import { loadImageSet, loadTrainingImages, type ImageSet } from '../data/datasets'
import { loadNetworkParams, saveNetwork } from '../export'
import { decode, encode, type Model } from '../inference'
import { labelledAnalysis, projectCodes, yieldToRequests } from '../latent-analysis'
import { elboParts, rowSquaredErrors } from '../metrics'
import { batchPixels, trainVae } from '../train-vae'
import { createVae, vaeLoss, vaeParams, vaeSpecs, type VaeModel } from '../vae'
import { catalog } from './catalog'
import type { ModelKind, Networks } from './types'

// The variational autoencoder (part 3) on MNIST, Fashion-MNIST or an imported set: mini-batches, progress within
// each epoch, the reconstructions of a few fixed test images after each epoch, and the test
// set's latent means for exploring.

type VaeExperiment = ExperimentOf<'vae'>

/** Test images reconstructed after each epoch (the lab shows them; a session keeps a few). */
const FIXED_TEST_IMAGES = 8
/** How many epochs of those reconstructions a session keeps (the lab shows as many). */
const SAVED_EPOCH_IMAGES = 6
/** The test set's points the explorer plots at most (all of MNIST's; an imported set's first). */
const MAX_TEST_POINTS = 10_000
/** A run's metrics (latentAnalysis) are over this many test images, the first ones. */
const METRIC_IMAGES = 2000
/** At most one progress message per this many milliseconds within an epoch. */
const BATCH_PROGRESS_MS = 500

const testSets = new Map<string, Promise<ImageSet>>()

/** A data set's test split, loaded once per process. */
function testSet(
  datasetsDir: string,
  { dataset, datasetHash: hash }: Pick<VaeExperiment, 'dataset' | 'datasetHash'>
): Promise<ImageSet> {
  // An imported set may be imported again under its name: read it (and check it) each time.
  if (!isBuiltInDataset(dataset)) return loadImageSet(datasetsDir, dataset, 'test', { hash })
  const key = `${datasetsDir}\u0000${dataset}`
  let set = testSets.get(key)
  if (!set) {
    set = loadImageSet(datasetsDir, dataset, 'test')
    testSets.set(key, set)
    set.catch(() => testSets.delete(key))
  }
  return set
}

const scaled = (set: ImageSet, index: number): number[] =>
  Array.from(set.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS), (v) => v / 255)

const shapeOf = (e: VaeExperiment) => ({
  inputSize: IMAGE_PIXELS,
  hidden: e.hidden,
  latent: e.latent,
  activation: e.activation
})

function vaeOf(model: Model): VaeModel {
  if (model.kind !== 'vae') throw new Error('the run and its model do not match')
  return model
}

/** Mean reconstruction BCE and KL per image over a data set, with seeded reparameterisation draws. */
export function vaeTestLoss(
  model: VaeModel,
  data: { count: number; images: Uint8Array; size: number },
  beta: number,
  seed: number
): { reconstruction: number; kl: number } {
  // Whole batches of 500 (all of MNIST's 10,000), or the whole of a smaller (imported) set.
  const batch = Math.min(500, data.count)
  if (batch === 0) throw new Error('the test set has no images')
  const random = mulberry32(seed ^ 0x7e57)
  const pixels = new Float32Array(batch * data.size)
  const noise = new Float32Array(batch * model.shape.latent)
  let recon = 0
  let kl = 0
  let seen = 0
  for (let start = 0; start + batch <= data.count; start += batch) {
    const indices = Array.from({ length: batch }, (_, i) => start + i)
    batchPixels(data, indices, pixels)
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const step = vaeLoss(
        model,
        tf.tensor2d(pixels, [batch, data.size]),
        tf.tensor2d(noise, [batch, model.shape.latent])
      )
      recon += step.reconstruction.dataSync()[0]! * batch
      kl += step.kl.dataSync()[0]! * batch
    })
    seen += batch
  }
  return { reconstruction: recon / seen, kl: kl / seen }
}

export const vaeKind: ModelKind<'vae'> = {
  kind: 'vae',
  schema: vaeExperimentSchema,
  ...catalog.vae,

  async train(experiment, datasetsDir, hooks) {
    const test = await testSet(datasetsDir, experiment)
    // In memory, or read from disk a batch at a time (a set over the in-memory limit).
    const train = await loadTrainingImages(datasetsDir, experiment.dataset, {
      hash: experiment.datasetHash
    })
    const fixed = Array.from({ length: Math.min(FIXED_TEST_IMAGES, test.count) }, (_, i) =>
      scaled(test, i)
    )
    const epochImages: { epoch: number; images: number[][] }[] = []
    // Within an epoch, about twice a second (an MNIST epoch takes seconds).
    const run = await trainVae(train, experiment, {
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
    }).finally(() => train.close())
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
    const m = vaeOf(model)
    const params = vaeParams(m)
    const count = layout(m.encoder).count
    return {
      encoder: await saveNetwork(m.encoder, params.subarray(0, count), 'encoder'),
      decoder: await saveNetwork(m.decoder, params.subarray(count), 'decoder')
    }
  },

  async load(experiment, networks) {
    const shape = shapeOf(experiment)
    const { encoder, decoder } = vaeSpecs(shape)
    const enc = networks['encoder']
    const dec = networks['decoder']
    if (!enc || !dec) throw new Error('this VAE run has no saved encoder and decoder')
    const encParams = await loadNetworkParams(enc, encoder, 'encoder')
    const decParams = await loadNetworkParams(dec, decoder, 'decoder')
    const params = new Float32Array(encParams.length + decParams.length)
    params.set(encParams)
    params.set(decParams, encParams.length)
    return createVae(shape, experiment.seed, params)
  },

  results: async () => ({ glyphs: null, denoising: null }),

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await loadImageSet(datasetsDir, experiment.dataset, 'test', {
      hash: experiment.datasetHash
    })
    const { reconstruction, kl } = vaeTestLoss(
      vaeOf(model),
      { count: test.count, images: test.images, size: IMAGE_PIXELS },
      experiment.beta,
      experiment.seed
    )
    return [
      [
        'run',
        `${record.id} (${experiment.kind}, ${experiment.dataset}, ${record.status}, ${record.epochs} epochs)`
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
    const set = await testSet(datasetsDir, experiment)
    const count = Math.min(set.count, MAX_TEST_POINTS)
    const points: number[][] = []
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) =>
        scaled(set, start + i)
      )
      points.push(...encode(model, batch))
    }
    return { points, labels: Array.from(set.labels.subarray(0, count)) }
  },

  /**
   * Metrics on the first 2,000 test images (their codes' kNN accuracy and active units, per-class
   * error, the negative ELBO's parts): seconds of the worker, not tens, beside a probe; a
   * projection takes the codes of all the test points the plane shows.
   */
  async analyze(model, experiment, datasetsDir, projection) {
    const set = await testSet(datasetsDir, experiment)
    const count = Math.min(set.count, projection ? MAX_TEST_POINTS : METRIC_IMAGES)
    const codes: number[][] = []
    const errors: number[] = []
    for (let start = 0; start < count; start += 500) {
      const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) =>
        scaled(set, start + i)
      )
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

/** The conditional VAE (cvae.ts) explores and reports the same test sets. */
export { testSet as imageTestSet, scaled as scaledImage }
export { FIXED_TEST_IMAGES, SAVED_EPOCH_IMAGES, MAX_TEST_POINTS, BATCH_PROGRESS_MS }
