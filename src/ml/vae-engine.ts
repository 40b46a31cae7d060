import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig } from '../shared/schemas'
import { EngineChoices, type EngineCandidate, type EngineStopped } from './engine-choice'
import type { Check } from './pace'
import type { Arithmetic } from './full-batch'
import { createVaeKernels } from './kernels/vae'
import { kernelBuild, kernelsSupported } from './kernels/runtime'
import { createVae, vaeParams, vaeSpecs, type VaeModel } from './vae'
import { createVaeTfjsStep } from './vae-tfjs'

// Which engine trains a VAE, and on how many threads, when the run does not say: the
// candidates are timed on a few steps of the model at hand (engine-choice.ts), once per shape.
// - the lab's kernels on every thread allowed and on one: a second thread pays on an idle
//   machine and can lose when another program keeps a core busy;
// - tfjs ops (autodiff), only on tfjs-node's native backend ('tensorflow'). On the wasm and cpu
//   backends tfjs ops were measured several times slower than the kernels at every VAE size
//   (README), so they are not timed there. (tfjs-node cannot be installed on the machines this lab is
//   built on; the choice between engines is tested there with injected candidates.)

export interface VaeEnginePlan {
  arithmetic: Arithmetic
  threads: number
  /** Which engine and why, for the run's record. */
  note: string
}

type Plan = Pick<VaeEnginePlan, 'arithmetic' | 'threads'>
const choices = new EngineChoices<Plan>()

/** Scratch inputs for timing: a batch of mid-grey pixels and fixed noise. */
function scratchBatch(rows: number, size: number, latent: number): [Float32Array, Float32Array] {
  const pixels = Float32Array.from({ length: rows * size }, (_, i) => ((i * 7919) % 256) / 255)
  const noise = Float32Array.from({ length: rows * latent }, (_, i) => ((i % 5) - 2) / 2)
  return [pixels, noise]
}

function kernelsCandidate(
  model: VaeModel,
  rows: number,
  config: FirstOrderConfig,
  threads: number
): EngineCandidate<Plan> {
  const kernels = createVaeKernels(model, rows, config, threads)
  kernels.theta.set(vaeParams(model))
  const [pixels, noise] = scratchBatch(rows, model.shape.inputSize, model.shape.latent)
  kernels.batch.set(pixels)
  kernels.noise.set(noise)
  let step = 0
  return {
    label: `the kernels (${kernels.build}) on ${threads} thread${threads === 1 ? '' : 's'}`,
    value: { arithmetic: 'kernels', threads },
    run(steps) {
      for (let s = 0; s < steps; s++) {
        kernels.gradient(1)
        kernels.step(1e-4, ++step)
      }
    },
    dispose: () => kernels.dispose()
  }
}

function tfjsCandidate(
  model: VaeModel,
  rows: number,
  config: FirstOrderConfig
): EngineCandidate<Plan> {
  // A copy of the model: the timed steps must not move the run's weights.
  const copy = createVae(model.shape, 1, vaeParams(model))
  const step = createVaeTfjsStep(copy, rows, config)
  const [pixels, noise] = scratchBatch(rows, model.shape.inputSize, model.shape.latent)
  return {
    label: `tfjs ops on ${tf.getBackend()}`,
    value: { arithmetic: 'tfjs', threads: 1 },
    run(steps) {
      for (let s = 0; s < steps; s++) {
        step.gradient(pixels, noise, 1, 1)
        step.step(1e-4)
      }
      // Wait for the steps (the native backend may run ops asynchronously).
      copy.variables[0]!.dataSync()
    },
    dispose() {
      step.dispose()
      copy.dispose()
    }
  }
}

/** Builds the candidates for a model on this backend (exported for tests). */
export function vaeCandidates(
  model: VaeModel,
  rows: number,
  config: FirstOrderConfig,
  maxThreads: number
): EngineCandidate<Plan>[] {
  const out: EngineCandidate<Plan>[] = []
  if (kernelsSupported())
    for (const threads of maxThreads > 1 ? [maxThreads, 1] : [1])
      out.push(kernelsCandidate(model, rows, config, threads))
  if (tf.getBackend() === 'tensorflow' || out.length === 0)
    out.push(tfjsCandidate(model, rows, config))
  return out
}

/**
 * The engine and thread count for a run: timed among the candidates, unless there is only one;
 * `check` is asked between timings (a stop there gives no plan). `candidates` may be injected
 * (tests).
 */
export async function planVaeEngine(
  model: VaeModel,
  rows: number,
  config: FirstOrderConfig,
  maxThreads: number,
  candidates: (
    model: VaeModel,
    rows: number,
    config: FirstOrderConfig,
    maxThreads: number
  ) => EngineCandidate<Plan>[] = vaeCandidates,
  check?: Check
): Promise<VaeEnginePlan | EngineStopped> {
  const backend = tf.getBackend()
  const { shape } = model
  const key = [
    backend,
    kernelsSupported() ? kernelBuild() : 'no-kernels',
    shape.inputSize,
    shape.hidden.join('-'),
    shape.latent,
    shape.activation,
    rows,
    config.kind,
    maxThreads,
    candidates === vaeCandidates ? 'lab' : 'injected'
  ].join('|')
  const decision = await choices.choose(
    key,
    () => candidates(model, rows, config, maxThreads),
    check
  )
  if ('stopped' in decision) return decision
  return {
    ...decision.value,
    note: `${decision.note}${decision.cached && decision.timings.length > 1 ? ' (timed earlier for this shape)' : ''}`
  }
}

/** The plan a run asked for (no timing). */
export function explicitPlan(arithmetic: Arithmetic, threads: number): VaeEnginePlan {
  const note =
    arithmetic === 'kernels'
      ? `the kernels (${kernelBuild()}) on ${threads} thread${threads === 1 ? '' : 's'}, as asked`
      : `tfjs ops on ${tf.getBackend()}, as asked`
  return { arithmetic, threads, note }
}

/**
 * The most arithmetic (flops) done between two checks for stop and pause: about a tenth of a
 * second on the lab's kernels, and on tfjs's slowest backend about a second. A batch of a large
 * model is computed in slices of rows with a check between them (item: stop within 1 s).
 */
export const MAX_WORK_PER_CHECK = { kernels: 4e9, tfjs: 1e9 } as const

/**
 * Rows of a batch computed between two checks: the largest divisor of `batchSize` whose work
 * (about 6 flops per weight per image, forward and back) fits MAX_WORK_PER_CHECK. Slices of
 * equal size keep the kernels' fixed shapes; a small model's batch is a single slice.
 */
export function rowsPerCheck(
  hidden: readonly number[],
  latent: number,
  batchSize: number,
  arithmetic: Arithmetic,
  inputSize = 784
): number {
  const { encoder, decoder } = vaeSpecs({ inputSize, hidden, latent, activation: 'linear' })
  const weights = [...encoder.layers, ...decoder.layers].reduce(
    (n, l) => n + l.inputs * l.outputs,
    0
  )
  const fit = Math.max(1, Math.floor(MAX_WORK_PER_CHECK[arithmetic] / (6 * weights)))
  for (let rows = Math.min(fit, batchSize); rows > 1; rows--)
    if (batchSize % rows === 0) return rows
  return 1
}
