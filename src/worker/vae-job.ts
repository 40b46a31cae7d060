import { decode, encode } from '../ml/inference'
import { trainVae } from '../ml/train-vae'
import type { TrainControl } from '../ml/train-autoencoder'
import type { VaeModel } from '../ml/vae'
import { loadImageSet, type ImageSet } from '../services/datasets'
import type { FromWorker, ToWorker } from '../services/worker-protocol'
import type { BackendName, ImageDatasetId, VaeTestSetResult } from '../shared/schemas'

// VAE jobs of the training worker: training with per-epoch progress (the loss parts and the
// reconstructions of a few fixed test images), and the test set's latent means for the scatter.

const FIXED_TEST_IMAGES = 8
const testSets = new Map<string, Promise<ImageSet>>()

/** The test split, loaded once per worker. */
export function testSet(datasetsDir: string, dataset: ImageDatasetId): Promise<ImageSet> {
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
  Array.from(set.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255)

/** At most one progress message per this many milliseconds within an epoch. */
const BATCH_PROGRESS_MS = 500

export async function runVaeJob(
  post: (message: FromWorker) => void,
  control: TrainControl,
  backend: BackendName,
  job: Extract<ToWorker, { type: 'startVae' }>,
  keep: (runId: string, model: VaeModel) => void
): Promise<void> {
  const started = performance.now()
  const { config } = job
  const train = await loadImageSet(job.datasetsDir, config.dataset, 'train')
  const test = await testSet(job.datasetsDir, config.dataset)
  const fixed = Array.from({ length: FIXED_TEST_IMAGES }, (_, i) => scaled(test, i))
  // Within an epoch: the first batch, then about twice a second (an MNIST epoch takes seconds).
  let lastBatchPost = Number.NEGATIVE_INFINITY
  const run = await trainVae({ count: train.count, images: train.images, size: 784 }, config, {
    control,
    onBatch: (epoch, batch, batches, samplesPerSecond) => {
      const now = performance.now()
      if (now - lastBatchPost < BATCH_PROGRESS_MS) return
      lastBatchPost = now
      post({
        type: 'vaeBatch',
        progress: {
          runId: job.runId,
          epoch,
          epochs: config.epochs,
          batch,
          batches,
          samplesPerSecond,
          elapsedSeconds: (now - started) / 1000
        }
      })
    },
    onEpoch: (record, model) => {
      post({
        type: 'vaeProgress',
        progress: {
          runId: job.runId,
          epoch: record.epoch,
          epochs: config.epochs,
          loss: record.loss,
          reconstruction: record.reconstruction,
          kl: record.kl,
          samplesPerSecond: record.samplesPerSecond,
          elapsedSeconds: (performance.now() - started) / 1000,
          reconstructions: decode(model, encode(model, fixed))
        }
      })
    }
  })
  keep(job.runId, run.model)
  post({
    type: 'vaeDone',
    done: {
      runId: job.runId,
      backend,
      seconds: (performance.now() - started) / 1000,
      ...run.outcome
    }
  })
}

/** Latent means of the whole test set, encoded in batches. */
export async function testSetCodes(
  model: VaeModel,
  datasetsDir: string,
  dataset: ImageDatasetId
): Promise<VaeTestSetResult> {
  const set = await testSet(datasetsDir, dataset)
  const points: number[][] = []
  for (let start = 0; start < set.count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, set.count - start) }, (_, i) =>
      scaled(set, start + i)
    )
    points.push(...encode(model, batch))
  }
  return { points, labels: Array.from(set.labels) }
}
