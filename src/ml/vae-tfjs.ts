import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig } from '../shared/schemas'
import { createOptimizer } from './optimizers'
import { vaeLoss, type VaeModel } from './vae'

// The VAE's mini-batch step on tfjs ops, as tfjs-examples train: the loss (vae.ts) differentiated
// by tf.variableGrads, the step taken by a tf.train optimizer (optimizers.ts). Used on the
// backends the lab's kernels do not serve (cpu; tensorflow where tfjs-node installs).

export interface VaeTfjsStep {
  /**
   * Adds `weight` x the gradient for one slice of a batch (rows x pixels in [0, 1], and rows x
   * latent standard-normal draws) to the batch's, and its loss parts to the running sums.
   */
  gradient(pixels: Float32Array, noise: Float32Array, beta: number, weight: number): void
  /** One optimizer step with the batch's gradient, which it then clears. */
  step(lr: number): void
  /** The loss parts summed since the last call (read once, at the end of an epoch). */
  takeSums(): Promise<{ reconstruction: number; kl: number }>
  dispose(): void
}

export function createVaeTfjsStep(
  model: VaeModel,
  rows: number,
  config: FirstOrderConfig
): VaeTfjsStep {
  const optimizer = createOptimizer(config)
  const { inputSize, latent } = model.shape
  // Kept as tensors until the epoch ends: reading them after every slice would wait for the
  // backend each time.
  let recon = tf.scalar(0)
  let kl = tf.scalar(0)
  let grads: tf.Tensor[] | null = null
  return {
    gradient(pixels, noise, beta, weight) {
      const [nextRecon, nextKl, ...nextGrads] = tf.tidy(() => {
        const x = tf.tensor2d(pixels, [rows, inputSize])
        const eps = tf.tensor2d(noise, [rows, latent])
        const parts: tf.Scalar[] = []
        const { grads: named } = tf.variableGrads(() => {
          const loss = vaeLoss(model, x, eps)
          parts.push(tf.keep(loss.reconstruction), tf.keep(loss.kl))
          return tf.add(loss.reconstruction, tf.mul(loss.kl, beta)) as tf.Scalar
        }, model.variables)
        const scale = (t: tf.Tensor): tf.Tensor => (weight === 1 ? t : tf.mul(t, weight))
        const sums = model.variables.map((v, i) => {
          const g = scale(named[v.name]!)
          return grads ? tf.add(grads[i]!, g) : g
        })
        const out = [tf.add(recon, scale(parts[0]!)), tf.add(kl, scale(parts[1]!)), ...sums]
        tf.dispose(parts)
        return out
      })
      tf.dispose([recon, kl, ...(grads ?? [])])
      recon = nextRecon as tf.Scalar
      kl = nextKl as tf.Scalar
      grads = nextGrads
    },
    step(lr) {
      if (!grads) return
      const named = grads
      optimizer.setLearningRate(lr)
      optimizer.applyGradients(model.variables.map((v, i) => ({ name: v.name, tensor: named[i]! })))
      tf.dispose(grads)
      grads = null
    },
    async takeSums() {
      const sums = { reconstruction: (await recon.data())[0]!, kl: (await kl.data())[0]! }
      tf.dispose([recon, kl])
      recon = tf.scalar(0)
      kl = tf.scalar(0)
      return sums
    },
    dispose() {
      optimizer.dispose()
      tf.dispose([recon, kl, ...(grads ?? [])])
    }
  }
}
