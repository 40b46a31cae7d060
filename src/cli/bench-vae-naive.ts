import * as tf from '@tensorflow/tfjs'
import { gaussian } from '../shared/noise'
import { createOptimizer } from '../ml/optimizers'
import { mulberry32 } from '../shared/random'
import { batchPixels, type ImageData } from '../ml/train-vae'
import type { VaeModel } from '../ml/vae'

/**
 * The same VAE step written the naive way: plain ops differentiated by tfjs's autodiff, whose
 * dense backward uses transposed matMuls (the slow path on wasm). For the gain, side by side.
 */
export function naiveSamplesPerSecond(
  model: VaeModel,
  data: ImageData,
  batchSize: number,
  batches: number
): number {
  const optimizer = createOptimizer({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })
  const random = mulberry32(1)
  const pixels = new Float32Array(batchSize * data.size)
  const noise = new Float32Array(batchSize * model.shape.latent)
  const layers = (
    vars: readonly tf.Tensor[],
    x: tf.Tensor2D,
    last: 'linear' | 'logits'
  ): tf.Tensor2D => {
    let h = x
    for (let i = 0; i < vars.length; i += 2) {
      const z = tf.add(tf.matMul(h, vars[i] as tf.Tensor2D), vars[i + 1]!) as tf.Tensor2D
      h = i + 2 < vars.length ? tf.relu(z) : z
    }
    void last
    return h
  }
  const step = (b: number): void => {
    batchPixels(
      data,
      Array.from({ length: batchSize }, (_, i) => (b * batchSize + i) % data.count),
      pixels
    )
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const x = tf.tensor2d(pixels, [batchSize, data.size])
      const eps = tf.tensor2d(noise, [batchSize, model.shape.latent])
      const k = model.encoder.layers.length * 2
      const { grads } = tf.variableGrads(() => {
        const stats = layers(model.variables.slice(0, k), x, 'linear')
        const l = model.shape.latent
        const mu = tf.slice(stats, [0, 0], [batchSize, l])
        const logvar = tf.slice(stats, [0, l], [batchSize, l])
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tf.Tensor2D
        const logits = layers(model.variables.slice(k), z, 'logits')
        const recon = tf.sub(tf.sum(tf.softplus(logits)), tf.sum(tf.mul(logits, x)))
        const kl = tf.mul(
          tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(logvar, 1))),
          0.5
        )
        return tf.div(tf.add(recon, kl), batchSize) as tf.Scalar
      }, model.variables)
      optimizer.applyGradients(grads)
    })
  }
  step(0)
  const started = performance.now()
  for (let b = 1; b <= batches; b++) step(b)
  model.variables[0]!.dataSync()
  optimizer.dispose()
  return (batches * batchSize) / ((performance.now() - started) / 1000)
}
