import * as tf from '@tensorflow/tfjs'
import { cvaeExperimentSchema, type ExperimentOf } from '../../shared/experiments'
import { gaussian } from '../../shared/noise'
import { mulberry32 } from '../../shared/random'
import { IMAGE_PIXELS } from '../../shared/schemas'
import { spreadEvenly } from '../../shared/spread'
import { layout } from '../architecture'
import { loadImageSet } from '../data/datasets'
import { loadNetworkParams, saveNetwork } from '../export'
import { decode, encode, type Model } from '../inference'
import { batchPixels } from '../train-vae'
import { trainCvae } from '../train-cvae'
import {
  classRows,
  createCvae,
  cvaeLoss,
  cvaeParams,
  cvaeSpecs,
  type CvaeModel,
  type CvaeShape
} from '../cvae'
import { catalog } from './catalog'
import type { ModelKind, Networks } from './types'
import {
  BATCH_PROGRESS_MS,
  FIXED_TEST_IMAGES,
  imageTestSet,
  MAX_TEST_POINTS,
  SAVED_EPOCH_IMAGES,
  scaledImage,
  vaeKind
} from './vae'

// The conditional VAE (issue 16 item 6) on a labelled image set (MNIST, Fashion-MNIST or an
// imported one): the dense VAE with the class one-hot fed to its encoder and decoder (cvae.ts),
// trained on tfjs ops (train-cvae.ts). It reports, saves and explores as the VAE does; encoding
// and decoding take a class (ml/inference.ts), the test set encodes with its own labels.

type CvaeExperiment = ExperimentOf<'cvae'>

const shapeOf = (e: CvaeExperiment): CvaeShape => ({
  inputSize: IMAGE_PIXELS,
  hidden: e.hidden,
  latent: e.latent,
  activation: e.activation,
  classes: e.classes
})

function cvaeOf(model: Model): CvaeModel {
  if (model.kind !== 'cvae') throw new Error('the run and its model do not match')
  return model
}

/** Mean reconstruction BCE and KL per image over a labelled set, with seeded draws. */
export function cvaeTestLoss(
  model: CvaeModel,
  data: { count: number; images: Uint8Array; labels: Uint8Array; size: number },
  seed: number
): { reconstruction: number; kl: number } {
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
    const labels = Array.from(data.labels.subarray(start, start + batch))
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const step = cvaeLoss(
        model,
        tf.tensor2d(pixels, [batch, data.size]),
        tf.tensor2d(classRows(model, labels, batch), [batch, model.shape.classes]),
        tf.tensor2d(noise, [batch, model.shape.latent])
      )
      recon += step.reconstruction.dataSync()[0]! * batch
      kl += step.kl.dataSync()[0]! * batch
    })
    seen += batch
  }
  return { reconstruction: recon / seen, kl: kl / seen }
}

export const cvaeKind: ModelKind<'cvae'> = {
  kind: 'cvae',
  schema: cvaeExperimentSchema,
  ...catalog.cvae,

  async train(experiment, datasetsDir, hooks) {
    const train = await loadImageSet(datasetsDir, experiment.dataset, 'train', {
      hash: experiment.datasetHash
    })
    const test = await imageTestSet(datasetsDir, experiment)
    const shown = Math.min(FIXED_TEST_IMAGES, test.count)
    const fixed = Array.from({ length: shown }, (_, i) => scaledImage(test, i))
    const fixedLabels = Array.from(test.labels.subarray(0, shown))
    const epochImages: { epoch: number; images: number[][] }[] = []
    const data = {
      count: train.count,
      images: train.images,
      labels: train.labels,
      size: IMAGE_PIXELS
    }
    const run = await trainCvae(data, experiment, {
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
        hooks.record({ ...record })
        // Each test image reconstructed through its own class.
        const reconstructions = shown
          ? decode(model, encode(model, fixed, fixedLabels), fixedLabels)
          : []
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
    const m = cvaeOf(model)
    const params = cvaeParams(m)
    const count = layout(m.encoder).count
    return {
      encoder: await saveNetwork(m.encoder, params.subarray(0, count), 'encoder'),
      decoder: await saveNetwork(m.decoder, params.subarray(count), 'decoder')
    }
  },

  async load(experiment, networks) {
    const shape = shapeOf(experiment)
    const { encoder, decoder } = cvaeSpecs(shape)
    const enc = networks['encoder']
    const dec = networks['decoder']
    if (!enc || !dec) throw new Error('this conditional VAE run has no saved encoder and decoder')
    const encParams = await loadNetworkParams(enc, encoder, 'encoder')
    const decParams = await loadNetworkParams(dec, decoder, 'decoder')
    const params = new Float32Array(encParams.length + decParams.length)
    params.set(encParams)
    params.set(decParams, encParams.length)
    return createCvae(shape, experiment.seed, params)
  },

  results: async () => ({ glyphs: null, denoising: null }),

  async evaluate(experiment, record, model, datasetsDir) {
    const test = await loadImageSet(datasetsDir, experiment.dataset, 'test', {
      hash: experiment.datasetHash
    })
    const { reconstruction, kl } = cvaeTestLoss(
      cvaeOf(model),
      { ...test, size: IMAGE_PIXELS },
      experiment.seed
    )
    return [
      [
        'run',
        `${record.id} (${experiment.kind}, ${experiment.dataset}, ${experiment.classes} classes, ${record.status}, ${record.epochs} epochs)`
      ],
      ['test reconstruction (BCE per image)', reconstruction.toFixed(2)],
      ['test KL per image', kl.toFixed(2)],
      ['test loss (negative ELBO)', (reconstruction + experiment.beta * kl).toFixed(2)]
    ]
  },

  // Its progress is the VAE's, and so is its line.
  line: (p, experiment) => vaeKind.line(p, { ...experiment, kind: 'vae' }),

  /** The latent means of the test set (its first 10,000 images), each encoded with its class. */
  async testSet(model, experiment, datasetsDir) {
    const set = await imageTestSet(datasetsDir, experiment)
    const count = Math.min(set.count, MAX_TEST_POINTS)
    const points: number[][] = []
    for (let start = 0; start < count; start += 1000) {
      const end = Math.min(count, start + 1000)
      const batch = Array.from({ length: end - start }, (_, i) => scaledImage(set, start + i))
      points.push(...encode(model, batch, Array.from(set.labels.subarray(start, end))))
    }
    return { points, labels: Array.from(set.labels.subarray(0, count)) }
  }
}
