import type { RunStatus, VaeTrainConfig } from '../shared/schemas'
import { learningRateAt } from './optimizers'
import { defaultArithmetic, type Arithmetic } from './full-batch'
import type { Check } from './pace'
import {
  explicitPlan,
  planVaeEngine,
  rowsPerCheck,
  vaeCandidates,
  type VaeEnginePlan
} from './vae-engine'
import { wasmThreads } from './wasm-threads'
import { mulberry32, permutation } from '../shared/random'
import { createVae, type VaeModel } from './vae'
import { vaeOnKernels, vaeOnTfjs, type ImageData, type VaeEngine } from './vae-steps'
import {
  epochEnd,
  firstOrder,
  rate,
  stoppedIn,
  type ImageVaeHooks,
  type VaeEpochRecord,
  type VaeOutcome
} from './image-vae-training'

export { MAX_WORK_PER_CHECK, rowsPerCheck } from './vae-engine'
export { batchPixels, type ImageData } from './vae-steps'

// Trains the VAE with mini-batches on the engine its timing picks (vae-engine.ts): a batch in
// slices, stop and pause checked between them. Every random draw (shuffles, reparameterisation
// noise) comes from the config's seed, so the same seed on the same backend gives the same run.

export type VaeHooks = ImageVaeHooks<VaeModel>
export type { VaeEpochRecord, VaeOutcome }

export async function trainVae(
  data: ImageData,
  config: VaeTrainConfig,
  hooks: VaeHooks = {},
  options: { arithmetic?: Arithmetic; threads?: number; rowsPerCheck?: number } = {}
): Promise<{ model: VaeModel; outcome: VaeOutcome }> {
  const optimizerConfig = firstOrder(config.optimizer, 'VAE')
  const count = Math.min(config.trainSize, data.count)
  const batchSize = Math.min(config.batchSize, count)
  const model = createVae(
    {
      inputSize: data.size,
      hidden: config.hidden,
      latent: config.latent,
      activation: config.activation
    },
    config.seed
  )
  // Start-up (the build, then the engines' timing) is seconds of work for a large model: stop
  // and pause are checked after the build and between timings, as between batches.
  const control = hooks.control
  const check: Check | undefined =
    control && (control.between ?? (() => control.checkpoint(() => model)))
  const stoppedAtStart = (engine: string): { model: VaeModel; outcome: VaeOutcome } => ({
    model,
    outcome: {
      status: 'stopped',
      message: 'stopped by the user while the run was starting, before epoch 1',
      epochs: 0,
      finalLoss: null,
      engine
    }
  })
  let engine: VaeEngine
  let plan: VaeEnginePlan
  let rows: number
  try {
    if (check && (await check()) === 'stop')
      return stoppedAtStart('none: stopped by the user before the engines were timed')
    // Rows per slice of a batch for an engine (stop and pause are checked between slices).
    const sliceFor = (arithmetic: Arithmetic): number =>
      options.rowsPerCheck ??
      rowsPerCheck(config.hidden, config.latent, batchSize, arithmetic, data.size)
    // Unless the caller says, timed among the engines that run here (vae-engine.ts), on a slice.
    const planned =
      options.arithmetic === undefined && options.threads === undefined
        ? await planVaeEngine(
            model,
            sliceFor('kernels'),
            optimizerConfig,
            wasmThreads(),
            vaeCandidates,
            check
          )
        : explicitPlan(options.arithmetic ?? defaultArithmetic(), options.threads ?? wasmThreads())
    if ('stopped' in planned)
      return stoppedAtStart(
        planned.timed === 0
          ? 'none: stopped by the user before the engines were timed'
          : `none: stopped by the user while the engines were timed (after ${planned.timed} timing runs)`
      )
    plan = planned
    rows = sliceFor(plan.arithmetic)
    if (batchSize % rows !== 0)
      throw new Error(`${rows} rows do not divide a batch of ${batchSize}`)
    engine =
      plan.arithmetic === 'kernels'
        ? vaeOnKernels(model, rows, optimizerConfig, plan.threads)
        : vaeOnTfjs(model, rows, optimizerConfig)
  } catch (error) {
    model.dispose()
    throw error
  }
  const slices = batchSize / rows
  const random = mulberry32(config.seed ^ 0x5eed)
  const batches = Math.floor(count / batchSize)
  const current = (): VaeModel => {
    engine.sync()
    return model
  }
  let snapshot = engine.params()
  let status: RunStatus = 'completed'
  let message = `ran all ${config.epochs} epochs`
  let finalLoss: number | null = null
  let epoch = 0
  let step = 0
  try {
    outer: while (epoch < config.epochs) {
      const order = permutation(count, random)
      const lr = learningRateAt(config.learningRate, config.schedule, epoch + 1, config.epochs)
      const started = performance.now()
      for (let b = 0; b < batches; b++) {
        // A stop between two slices drops the unfinished batch: the weights are the last step's.
        for (let s = 0; s < slices; s++) {
          if ((await hooks.control?.checkpoint(current)) === 'stop') {
            status = 'stopped'
            message = stoppedIn(epoch)
            break outer
          }
          const from = b * batchSize + s * rows
          engine.fill(data, order.subarray(from, from + rows), random)
          engine.gradient(config.beta, 1 / slices)
        }
        engine.step(lr, ++step)
        hooks.onBatch?.(epoch + 1, b + 1, batches, rate((b + 1) * batchSize, started))
      }
      const end = epochEnd(
        epoch,
        await engine.takeSums(),
        { batches, batchSize, beta: config.beta, learningRate: lr },
        started
      )
      if ('diverged' in end) {
        engine.setParams(snapshot)
        engine.sync()
        status = 'diverged'
        message = end.diverged
        break
      }
      epoch++
      finalLoss = end.record.loss
      snapshot = engine.params()
      hooks.onEpoch?.(end.record, current())
    }
    engine.sync()
  } finally {
    engine.dispose()
  }
  return { model, outcome: { status, message, epochs: epoch, finalLoss, engine: plan.note } }
}
