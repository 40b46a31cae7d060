import type { FirstOrderConfig } from '../shared/schemas'
import { gaussian } from '../shared/noise'
import { createVaeKernels } from './kernels/vae'
import { assignVaeParams, vaeParams, type VaeModel } from './vae'
import { createVaeTfjsStep } from './vae-tfjs'

// A VAE's mini-batch steps, on tfjs ops (vae-tfjs.ts) or on the lab's kernels (kernels/vae.ts),
// behind one interface that the training loop (train-vae.ts) drives: the images it trains on,
// a batch's pixels, and the two engines.

export type ImageData =
  | {
      count: number
      /** count x size grey levels, 0-255. */
      images: Uint8Array
      size: number
    }
  | {
      count: number
      size: number
      /** Reads images `indices` into `into` (a set read from disk a batch at a time). */
      read(indices: ArrayLike<number>, into: Uint8Array): void
    }

/** Fills `out` with the grey levels of the chosen images scaled to [0, 1], one image per row. */
export function batchPixels(
  data: ImageData,
  indices: ArrayLike<number>,
  out: Float32Array
): Float32Array {
  if ('read' in data) {
    const raw = new Uint8Array(indices.length * data.size)
    data.read(indices, raw)
    for (let k = 0; k < raw.length; k++) out[k] = raw[k]! / 255
    return out
  }
  for (let b = 0; b < indices.length; b++) {
    const from = indices[b]! * data.size
    const to = b * data.size
    for (let k = 0; k < data.size; k++) out[to + k] = data.images[from + k]! / 255
  }
  return out
}

/**
 * A VAE's mini-batch steps on tfjs ops or on the lab's kernels, with one interface: the batch
 * and its noise are drawn into the engine, loss parts are summed over an epoch, and the
 * parameters live in the engine (`sync` writes them into the model's variables).
 */
export interface VaeEngine {
  /** Assembles the slice of `indices` and draws its reparameterisation noise from `random`. */
  fill(data: ImageData, indices: ArrayLike<number>, random: () => number): void
  /** Adds `weight` x the slice's gradient (and loss parts) to the batch's. */
  gradient(beta: number, weight: number): void
  /** One optimizer step with the batch's gradient, which it then clears. */
  step(lr: number, step: number): void
  /** The loss parts summed over the steps since the last call (batch means, summed). */
  takeSums(): Promise<{ reconstruction: number; kl: number }>
  params(): Float32Array
  setParams(values: Float32Array): void
  sync(): void
  dispose(): void
}

export function vaeOnTfjs(model: VaeModel, batchSize: number, config: FirstOrderConfig): VaeEngine {
  const step = createVaeTfjsStep(model, batchSize, config)
  const pixels = new Float32Array(batchSize * model.shape.inputSize)
  const noise = new Float32Array(batchSize * model.shape.latent)
  return {
    fill(data, indices, random) {
      batchPixels(data, indices, pixels)
      for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    },
    gradient: (beta, weight) => step.gradient(pixels, noise, beta, weight),
    step: (lr) => step.step(lr),
    takeSums: () => step.takeSums(),
    params: () => vaeParams(model),
    setParams: (values) => assignVaeParams(model, values),
    sync: () => undefined,
    dispose: () => step.dispose()
  }
}

export function vaeOnKernels(
  model: VaeModel,
  batchSize: number,
  config: FirstOrderConfig,
  threads: number
): VaeEngine {
  const kernels = createVaeKernels(model, batchSize, config, threads)
  kernels.theta.set(vaeParams(model))
  let sums = { reconstruction: 0, kl: 0 }
  // The batch's gradient, summed over slices (only when a batch has more than one).
  let total: Float32Array | null = null
  let slices = 0
  return {
    fill(data, indices, random) {
      batchPixels(data, indices, kernels.batch)
      for (let k = 0; k < kernels.noise.length; k++) kernels.noise[k] = gaussian(random)
    },
    gradient(beta, weight) {
      const parts = kernels.gradient(beta)
      sums = {
        reconstruction: sums.reconstruction + weight * parts.reconstruction,
        kl: sums.kl + weight * parts.kl
      }
      if (weight === 1) return
      const grad = kernels.grad
      total ??= new Float32Array(grad.length)
      if (slices++ === 0) for (let i = 0; i < grad.length; i++) total[i] = weight * grad[i]!
      else for (let i = 0; i < grad.length; i++) total[i] = total[i]! + weight * grad[i]!
    },
    step(lr, step) {
      if (total && slices > 0) kernels.grad.set(total)
      slices = 0
      kernels.step(lr, step)
    },
    async takeSums() {
      const taken = sums
      sums = { reconstruction: 0, kl: 0 }
      return taken
    },
    params: () => kernels.theta.slice(),
    setParams: (values) => kernels.theta.set(values),
    sync: () => assignVaeParams(model, kernels.theta),
    dispose: () => kernels.dispose()
  }
}
