import type { FirstOrderConfig } from '../../shared/schemas'
import type { VaeModel } from '../vae'
import { layout } from '../mlp'
import { backwardChain, chunks, forwardChain, placeChain } from './dense'
import { placeParams } from './flat-params'
import { createPool } from './pool'
import { createArena, type KernelBuild } from './runtime'

// The VAE's mini-batch step on the lab's WebAssembly kernels, split by rows between threads: the
// loss of vae.ts's vaeLoss, differentiated by hand (the tests hold it to tf.grads of vaeLoss). The
// wide products dominate: at 784-256-2 and batch 128 about 260 million multiply-adds' worth of
// flops per step, which the kernels run at ~45 GFLOP/s per thread (measured here with FMA) without repacking
// operands.
// The reparameterisation and the KL term (batch x latent values) are computed here in JS.

export interface VaeKernels {
  /** Parameters in vaeParams' layout (encoder, then decoder), live. */
  readonly theta: Float32Array
  /** The gradient left by the last `gradient()`. */
  readonly grad: Float32Array
  /** The batch (rows x pixels, in [0, 1]) and the standard-normal draws (rows x latent), to fill in. */
  readonly batch: Float32Array
  readonly noise: Float32Array
  /** Threads the work is shared between. */
  readonly threads: number
  /** The kernels' build (see runtime.ts). */
  readonly build: KernelBuild
  /** Loss parts (batch means) and their gradient for the current batch and noise. */
  gradient(beta: number): { reconstruction: number; kl: number }
  /** One optimizer step with the last gradient; `step` counts from 1. */
  step(lr: number, step: number): void
  dispose(): void
}

export function createVaeKernels(
  model: VaeModel,
  rows: number,
  optimizer: FirstOrderConfig | null,
  threads: number,
  build?: KernelBuild
): VaeKernels {
  const arena = createArena(build)
  // (createPool stops the helpers it started if one fails to start.)
  const pool = createPool(arena, Math.max(1, Math.floor(threads)))
  try {
    const { encoder, decoder } = model
    const latent = model.shape.latent
    const size = model.shape.inputSize
    const encCount = layout(encoder).count
    const params = placeParams(arena, pool, encCount + layout(decoder).count, optimizer)
    const enc = placeChain(arena, encoder.layers, rows, params.theta, params.grad)
    const dec = placeChain(
      arena,
      decoder.layers,
      rows,
      params.theta + encCount * 4,
      params.grad + encCount * 4
    )
    const x = arena.reserve(rows * size)
    const eps = arena.reserve(rows * latent)
    const z = arena.reserve(rows * latent)
    const dz = arena.reserve(rows * latent)
    const dStats = arena.reserve(rows * 2 * latent)
    const dLogits = arena.reserve(rows * size)
    const rowLoss = arena.reserve(rows * 2)
    const layers = [...encoder.layers, ...decoder.layers]
    const widest = Math.max(...layers.map((l) => Math.max(l.inputs, l.outputs)))
    const scratch = {
      deltas: [arena.reserve(rows * widest), arena.reserve(rows * widest)] as [number, number],
      transposed: arena.reserve(Math.max(...layers.map((l) => l.inputs * l.outputs)))
    }
    arena.commit()
    const stats = arena.f32(enc.outputs.at(-1)!, rows * 2 * latent)
    const epsView = arena.f32(eps, rows * latent)
    const zView = arena.f32(z, rows * latent)
    const dzView = arena.f32(dz, rows * latent)
    const dStatsView = arena.f32(dStats, rows * 2 * latent)
    const lossView = arena.f64(rowLoss, rows)
    const std = new Float32Array(rows * latent)
    return {
      theta: arena.f32(params.theta, params.count),
      grad: arena.f32(params.grad, params.count),
      batch: arena.f32(x, rows * size),
      noise: epsView,
      threads: pool.parts,
      build: arena.build,
      gradient(beta) {
        forwardChain(pool, enc, x)
        // z = mu + exp(logvar / 2) * eps; KL(N(mu, var) || N(0, 1)) summed.
        let kl = 0
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < latent; j++) {
            const mu = stats[i * 2 * latent + j]!
            const logvar = stats[i * 2 * latent + latent + j]!
            const s = Math.fround(Math.exp(logvar * 0.5))
            std[i * latent + j] = s
            zView[i * latent + j] = mu + s * epsView[i * latent + j]!
            kl += mu * mu + s * s - logvar - 1
          }
        forwardChain(pool, dec, z, 'linear')
        pool.run(
          'sigmoidCrossEntropy',
          chunks(pool, rows, rows * size).map(([r0, r1]) => [
            dec.outputs.at(-1)! + r0 * size * 4,
            x + r0 * size * 4,
            dLogits + r0 * size * 4,
            rowLoss + r0 * 8,
            r1 - r0,
            size,
            1 / rows
          ])
        )
        let reconstruction = 0
        for (let i = 0; i < rows; i++) reconstruction += lossView[i]!
        backwardChain(pool, dec, z, dLogits, scratch, dz)
        // dMu = dz + beta mu / n; dLogvar = dz eps std / 2 + beta (var - 1) / (2 n).
        const betaN = beta / rows
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < latent; j++) {
            const at = i * latent + j
            const mu = stats[i * 2 * latent + j]!
            const s = std[at]!
            dStatsView[i * 2 * latent + j] = dzView[at]! + mu * betaN
            dStatsView[i * 2 * latent + latent + j] =
              dzView[at]! * epsView[at]! * s * 0.5 + (s * s - 1) * betaN * 0.5
          }
        backwardChain(pool, enc, x, dStats, scratch)
        return { reconstruction: reconstruction / rows, kl: (0.5 * kl) / rows }
      },
      step: params.step,
      dispose: () => pool.dispose()
    }
  } catch (error) {
    pool.dispose()
    throw error
  }
}
