import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gaussian } from '../shared/noise'
import { mulberry32, permutation } from '../shared/random'
import { createVae, vaeParams, type VaeShape } from '../ml/vae'

// `bench vae-quality --same-start`: the lab's own random draws for one seed, written for the
// PyTorch reference (bench/reference_torch.py --shared DIR) so that both sides start from the
// same weights, see the same images in the same order and draw the same reparameterisation
// noise, in training and on the test set. What is left between them is arithmetic (the order
// of float32 sums, the kernels' exp and log) and the methods themselves (loss, gradient,
// Adam): a paired comparison, where independent draws differ by about half a nat per seed.
//
// The draws follow trainVae (train-vae.ts) and vaeTestLoss (kinds/vae.ts): one generator for
// a run's shuffles and noise, seeded with seed ^ 0x5eed, drawing each epoch's permutation and
// then every batch's noise (batch x latent, row by row); the test set's noise from
// seed ^ 0x7e57, 500 images at a time. Both sides print their first epoch's training loss,
// which tells whether they really took the same steps.

export interface SharedStart {
  /** Initial parameters in the lab's flat layout (per layer: kernel inputs x outputs, bias). */
  params: Float32Array
  /** Each epoch's order of the training images, epoch after epoch. */
  order: Uint32Array
  /** Standard-normal draws: epochs x batches x batch size x latent. */
  noise: Float32Array
  /** The test set's draws, test images x latent. */
  testNoise: Float32Array
}

export function sharedStart(
  shape: VaeShape,
  seed: number,
  run: { count: number; batchSize: number; epochs: number; testCount: number }
): SharedStart {
  const model = createVae(shape, seed)
  const params = vaeParams(model)
  model.dispose()
  const { count, batchSize, epochs, testCount } = run
  const batches = Math.floor(count / batchSize)
  const perEpoch = batches * batchSize * shape.latent
  const order = new Uint32Array(epochs * count)
  const noise = new Float32Array(epochs * perEpoch)
  const random = mulberry32(seed ^ 0x5eed)
  for (let e = 0; e < epochs; e++) {
    order.set(permutation(count, random), e * count)
    for (let k = 0; k < perEpoch; k++) noise[e * perEpoch + k] = gaussian(random)
  }
  const testRandom = mulberry32(seed ^ 0x7e57)
  const testNoise = new Float32Array(testCount * shape.latent)
  for (let k = 0; k < testNoise.length; k++) testNoise[k] = gaussian(testRandom)
  return { params, order, noise, testNoise }
}

/** Writes the draws as little-endian binary files into `dir` (read by reference_torch.py). */
export function writeSharedStart(dir: string, start: SharedStart): void {
  const bytes = (a: Float32Array | Uint32Array): Uint8Array =>
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  writeFileSync(join(dir, 'params.f32'), bytes(start.params))
  writeFileSync(join(dir, 'order.u32'), bytes(start.order))
  writeFileSync(join(dir, 'noise.f32'), bytes(start.noise))
  writeFileSync(join(dir, 'test-noise.f32'), bytes(start.testNoise))
}
