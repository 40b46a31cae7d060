import type { ExperimentOf } from '../../shared/experiments'
import { IMAGE_PIXELS, isBuiltInDataset } from '../../shared/schemas'
import type { RunRecord } from '../../shared/session'
import { spreadEvenly } from '../../shared/spread'
import { layout, type MlpSpec, type VaeShape } from '../architecture'
import { loadImageSet, type ImageSet } from '../data/datasets'
import { loadNetworkParams, saveNetwork } from '../export'
import type { ImageVaeHooks, VaeOutcome } from '../image-vae-training'
import { decode, encode, type Model } from '../inference'
import type { CvaeModel } from '../cvae'
import { flatValues, type VaeModel } from '../vae'
import type { KindProgress, KindRun, ModelKind, ProgressLine, RunHooks } from './types'

// What the image VAE kinds share (vae.ts, cvae.ts, conv-vae.ts): their data sets' test split
// (loaded once per process for a built-in set), images as rows of values in [0, 1], the driver's
// hooks around a trainer (progress within and after each epoch, the history, reconstructions of
// a few fixed test images kept in the session), a dense model's saved networks, `lab eval`'s
// lines, the progress line, and a test set's codes for exploring. A kind gives its trainer, its
// model and whether that takes a class (a conditional VAE encodes and decodes with one).

export type ImageVaeKind = 'vae' | 'cvae' | 'conv-vae'
type ImageVaeExperiment = ExperimentOf<ImageVaeKind>

/** Test images reconstructed after each epoch (the lab shows them; a session keeps a few). */
export const FIXED_TEST_IMAGES = 8
/** How many epochs of those reconstructions a session keeps (the lab shows as many). */
export const SAVED_EPOCH_IMAGES = 6
/** The test set's points the explorer plots at most (all of MNIST's; an imported set's first). */
export const MAX_TEST_POINTS = 10_000
/** At most one progress message per this many milliseconds within an epoch. */
export const BATCH_PROGRESS_MS = 500

const testSets = new Map<string, Promise<ImageSet>>()

/**
 * A data set's test split, a built-in one loaded once per process; `anyShape` for a model that
 * takes images of any size and channels (else an imported set must be 28x28 grey).
 */
export function imageTestSet(
  datasetsDir: string,
  { dataset, datasetHash: hash }: Pick<ImageVaeExperiment, 'dataset' | 'datasetHash'>,
  anyShape = false
): Promise<ImageSet> {
  // An imported set may be imported again under its name: read it (and check it) each time.
  if (!isBuiltInDataset(dataset))
    return loadImageSet(datasetsDir, dataset, 'test', anyShape ? { hash, anyShape } : { hash })
  const key = `${datasetsDir}\u0000${dataset}`
  let set = testSets.get(key)
  if (!set) {
    set = loadImageSet(datasetsDir, dataset, 'test')
    testSets.set(key, set)
    set.catch(() => testSets.delete(key))
  }
  return set
}

/** A run's model, which must be of its kind. */
export function modelOfKind<K extends ImageVaeKind>(
  model: Model,
  kind: K
): Extract<Model, { kind: K }> {
  if (model.kind !== kind) throw new Error('the run and its model do not match')
  return model as Extract<Model, { kind: K }>
}

/** A dense VAE's shape (28x28 grey images in) from its experiment. */
export const denseVaeShape = (e: ExperimentOf<'vae' | 'cvae'>): VaeShape => ({
  inputSize: IMAGE_PIXELS,
  hidden: e.hidden,
  latent: e.latent,
  activation: e.activation
})

/** Values of one image of a set (side x side x channels). */
export const valuesOf = (set: ImageSet): number => set.side * set.side * set.channels

/** Image `index` of a set as values in [0, 1]. */
export function scaledImage(set: ImageSet, index: number): number[] {
  const n = valuesOf(set)
  return Array.from(set.images.subarray(index * n, (index + 1) * n), (v) => v / 255)
}

/** Images `start` to `end` (not included) of a set as rows of values in [0, 1]. */
export const scaledImages = (set: ImageSet, start: number, end: number): number[][] =>
  Array.from({ length: end - start }, (_, i) => scaledImage(set, start + i))

/** A trainer of an image VAE, with the hooks it reports through. */
export type ImageVaeTrainer = (
  hooks: Required<ImageVaeHooks<Model>>
) => Promise<{ model: Model; outcome: VaeOutcome }>

/**
 * Trains an image VAE through the run driver's hooks: batch progress about twice a second, a
 * history row, the reconstructions of the first test images (through their own classes for a
 * conditional model) and epoch progress after each epoch; the session keeps a few epochs' images.
 */
export async function trainImageVae<K extends ImageVaeKind>(
  experiment: { epochs: number },
  hooks: RunHooks<KindProgress<K>>,
  test: ImageSet,
  conditional: boolean,
  train: ImageVaeTrainer
): Promise<KindRun<K>> {
  const shown = Math.min(FIXED_TEST_IMAGES, test.count)
  const fixed = scaledImages(test, 0, shown)
  const labels = conditional ? Array.from(test.labels.subarray(0, shown)) : undefined
  const epochImages: { epoch: number; images: number[][] }[] = []
  const progress = hooks.progress as (p: KindProgress<ImageVaeKind>) => void
  const run = await train({
    control: hooks.control(),
    onBatch: (epoch, batch, batches, samplesPerSecond) => {
      // Within an epoch, about twice a second (an MNIST epoch takes seconds).
      if (!hooks.due(BATCH_PROGRESS_MS)) return
      progress({
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
      const reconstructions = decode(model, encode(model, fixed, labels), labels)
      epochImages.push({
        epoch: record.epoch,
        images: reconstructions.map((image) => image.map((v) => Math.round(v * 255)))
      })
      progress({
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
    result: { engine } as KindRun<K>['result'],
    record: {
      glyphs: null,
      denoising: null,
      ...(epochImages.length ? { epochImages: spreadEvenly(epochImages, SAVED_EPOCH_IMAGES) } : {})
    }
  }
}

/** An image VAE's results beside its record: none (it has no glyphs). */
export const imageVaeResults = async (): Promise<Pick<RunRecord, 'glyphs' | 'denoising'>> => ({
  glyphs: null,
  denoising: null
})

/**
 * A dense VAE's (or conditional VAE's) `save` and `load`: its two networks as tfjs-layers
 * artifacts of its layers, and a model of the kind rebuilt from their parameters (`create`
 * from the experiment's `shape`, the layers of which `specs` gives).
 */
export function denseVaeNetworks<K extends 'vae' | 'cvae', S>(
  kind: K,
  shape: (e: ExperimentOf<K>) => S,
  specs: (shape: S) => { encoder: MlpSpec; decoder: MlpSpec },
  create: (shape: S, seed: number, params: Float32Array) => Model
): Pick<ModelKind<K>, 'save' | 'load'> {
  const what = kind === 'cvae' ? 'conditional VAE' : 'VAE'
  return {
    async save(model) {
      const m = modelOfKind(model, kind) as VaeModel | CvaeModel
      const params = flatValues(m.variables)
      const count = layout(m.encoder).count
      return {
        encoder: await saveNetwork(m.encoder, params.subarray(0, count), 'encoder'),
        decoder: await saveNetwork(m.decoder, params.subarray(count), 'decoder')
      }
    },
    async load(experiment, networks) {
      const enc = networks['encoder']
      const dec = networks['decoder']
      if (!enc || !dec) throw new Error(`this ${what} run has no saved encoder and decoder`)
      const { encoder, decoder } = specs(shape(experiment))
      const encParams = await loadNetworkParams(enc, encoder, 'encoder')
      const decParams = await loadNetworkParams(dec, decoder, 'decoder')
      const params = new Float32Array(encParams.length + decParams.length)
      params.set(encParams)
      params.set(decParams, encParams.length)
      const { seed }: { seed: number } = experiment
      return create(shape(experiment), seed, params)
    }
  }
}

/**
 * `lab eval`'s lines of an image VAE: the run (its kind, data set, `details`, status and epochs),
 * the lines `about` it, and the test negative ELBO with its two parts.
 */
export function elboLines(
  experiment: ImageVaeExperiment,
  record: Pick<RunRecord, 'id' | 'status' | 'epochs'>,
  { reconstruction, kl }: { reconstruction: number; kl: number },
  { details = '', about = [] }: { details?: string; about?: [string, string][] } = {}
): [string, string][] {
  const { kind, dataset, beta } = experiment
  return [
    [
      'run',
      `${record.id} (${kind}, ${dataset}, ${details}${record.status}, ${record.epochs} epochs)`
    ],
    ...about,
    ['test reconstruction (BCE per image)', reconstruction.toFixed(2)],
    ['test KL per image', kl.toFixed(2)],
    ['test loss (negative ELBO)', (reconstruction + beta * kl).toFixed(2)]
  ]
}

/** An image VAE's progress as the command line's line. */
export const imageVaeLine = (
  p: KindProgress<ImageVaeKind>,
  experiment: { epochs: number }
): ProgressLine =>
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
      }

/**
 * The latent means of a test set (its first 10,000 images), encoded `batch` images at a time,
 * each with its own class for a conditional model; with the images' classes.
 */
export function testSetCodes(
  model: Model,
  set: ImageSet,
  conditional: boolean,
  batch: number
): { points: number[][]; labels: number[] } {
  const count = Math.min(set.count, MAX_TEST_POINTS)
  const points: number[][] = []
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch)
    const labels = conditional ? Array.from(set.labels.subarray(start, end)) : undefined
    points.push(...encode(model, scaledImages(set, start, end), labels))
  }
  return { points, labels: Array.from(set.labels.subarray(0, count)) }
}
