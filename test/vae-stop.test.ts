import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { MAX_WORK_PER_CHECK, rowsPerCheck, trainVae } from '../src/ml/train-vae'
import { vaeParams } from '../src/ml/vae'
import { loadImageSet } from '../src/ml/data/datasets'
import { vaeTrainConfigSchema } from '../src/shared/schemas'
import { datasetsDir } from './helpers'

// Stop and pause reach a VAE run within a bounded amount of work, however large the model the
// schema accepts (issue 13, item 16): a batch is computed in slices with a check between them,
// and the slices add up to the same gradient as the whole batch.

const largest = vaeTrainConfigSchema.parse({
  dataset: 'mnist',
  trainSize: 4096,
  hidden: [2048, 2048, 2048, 2048],
  latent: 32,
  batchSize: 4096,
  epochs: 1
})

/** Multiply-adds x 2 of one image through the model forward and back (about 6 flops a weight). */
function flopsPerImage(hidden: readonly number[], latent: number): number {
  const widths = [784, ...hidden, 2 * latent]
  const back = [latent, ...[...hidden].reverse(), 784]
  let weights = 0
  for (let i = 1; i < widths.length; i++) weights += widths[i - 1]! * widths[i]!
  for (let i = 1; i < back.length; i++) weights += back[i - 1]! * back[i]!
  return 6 * weights
}

let data: { count: number; images: Uint8Array; size: number }
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  const set = await loadImageSet(datasetsDir, 'mnist', 'train')
  data = { count: 4096, images: set.images.subarray(0, 4096 * 784), size: 784 }
})

describe('stopping a large VAE', () => {
  it('bounds the work between two checks for the largest model the schema accepts', () => {
    const rows = rowsPerCheck(largest.hidden, largest.latent, largest.batchSize, 'kernels')
    expect(largest.batchSize % rows).toBe(0)
    expect(rows * flopsPerImage(largest.hidden, largest.latent)).toBeLessThanOrEqual(
      MAX_WORK_PER_CHECK.kernels
    )
    const tfjsRows = rowsPerCheck(largest.hidden, largest.latent, largest.batchSize, 'tfjs')
    expect(tfjsRows * flopsPerImage(largest.hidden, largest.latent)).toBeLessThanOrEqual(
      MAX_WORK_PER_CHECK.tfjs
    )
    // A small model's batch is one slice: nothing changes for it.
    expect(rowsPerCheck([256], 2, 128, 'kernels')).toBe(128)
  })

  it('stops inside the first batch of the largest model, before that batch is finished', async () => {
    let checks = 0
    let batches = 0
    // On the kernels as asked (no engine timing): one check at start-up, after the build, then
    // one before each slice of a batch; the third check is between the first two slices.
    const run = await trainVae(
      data,
      largest,
      {
        control: { checkpoint: () => (++checks >= 3 ? 'stop' : 'continue') },
        onBatch: () => batches++
      },
      { arithmetic: 'kernels' }
    )
    run.model.dispose()
    expect(run.outcome.status).toBe('stopped')
    expect(run.outcome.message).toBe('stopped by the user during epoch 1')
    expect(checks).toBe(3)
    // No batch was completed: the stop came between two slices of the first one.
    expect(batches).toBe(0)
  }, 300_000)

  for (const arithmetic of ['kernels', 'tfjs'] as const)
    it(`a batch in slices gives the same training as in one piece (${arithmetic})`, async () => {
      const config = vaeTrainConfigSchema.parse({
        dataset: 'mnist',
        trainSize: 512,
        hidden: [32],
        batchSize: 128,
        epochs: 2,
        seed: 3
      })
      const whole = await trainVae(data, config, {}, { arithmetic })
      const sliced = await trainVae(data, config, {}, { arithmetic, rowsPerCheck: 32 })
      const a = vaeParams(whole.model)
      const b = vaeParams(sliced.model)
      let worst = 0
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
      expect(worst).toBeLessThan(1e-4)
      expect(Math.abs(sliced.outcome.finalLoss! / whole.outcome.finalLoss! - 1)).toBeLessThan(1e-4)
      whole.model.dispose()
      sliced.model.dispose()
    })
})
