import * as tf from '@tensorflow/tfjs'
import type { DenoisingSummary, GlyphResult, LetterTrainConfig } from '../shared/schemas'
import { noiseRandom, noisyCopies } from '../shared/noise'
import { decodeTensor, encodeTensor, wrongPixels, type AutoencoderModel } from './autoencoder'
import { flopsPerRow } from './full-batch'
import { createPace, rowsPerSlice, type Pace } from './pace'

// A trained letters autoencoder's results: per glyph, its latent code, reconstruction and
// wrong pixels; for a denoising run, how well it denoises (on large runs in slices, paced like
// training, so that a pause or stop reaches it too).

/** Latent code, reconstruction and wrong pixels of each clean pattern. */
export function describePatterns(
  model: AutoencoderModel,
  patterns: Float32Array,
  size: number,
  labels: readonly string[]
): GlyphResult[] {
  const n = labels.length
  const { latent, recon } = tf.tidy(() => {
    const x = tf.tensor2d(patterns, [n, size])
    const z = encodeTensor(model, x)
    return { latent: z.arraySync(), recon: decodeTensor(model, z).arraySync() }
  })
  const wrong = wrongPixels(recon.flat(), patterns, size)
  return labels.map((char, i) => ({
    char,
    latent: latent[i] ?? [],
    reconstruction: recon[i] ?? [],
    wrongPixels: wrong[i] ?? 0
  }))
}

/** Reconstructions of `rows` noisy inputs, in slices paced by `pace` (may throw Stopped). */
async function denoised(
  model: AutoencoderModel,
  inputs: Float32Array,
  rows: number,
  pace: Pace
): Promise<Float32Array> {
  const size = inputs.length / rows
  const out = new Float32Array(rows * model.spec.layers.at(-1)!.outputs)
  const work = flopsPerRow(model.spec, 'forward')
  const most = rowsPerSlice(rows, work, pace.budget)
  await pace.rows(rows, most, work, (r0, r1) =>
    tf.tidy(() => {
      const x = tf.tensor2d(inputs.subarray(r0 * size, r1 * size), [r1 - r0, size])
      out.set(decodeTensor(model, encodeTensor(model, x)).dataSync(), (r0 * out.length) / rows)
    })
  )
  return out
}

/**
 * Denoising quality on the noise drawn for training (the first draw) and on fresh noise:
 * per pattern, the mean wrong pixels before denoising (noisy input) and after. With a pace,
 * the reconstructions run in slices with its checks between them (a stop throws Stopped).
 */
export async function evaluateDenoising(
  model: AutoencoderModel,
  patterns: Float32Array,
  size: number,
  noise: NonNullable<LetterTrainConfig['noise']>,
  copies = Math.max(noise.copies, 10),
  pace: Pace = createPace(undefined, Infinity)
): Promise<DenoisingSummary> {
  const n = patterns.length / size
  const measure = async (
    stream: 'train' | 'fresh',
    k: number
  ): Promise<DenoisingSummary['trainNoise']> => {
    const { inputs, targets } = noisyCopies(
      patterns,
      size,
      { ...noise, copies: k },
      noiseRandom(noise, stream)
    )
    const out = await denoised(model, inputs, n * k, pace)
    const after = wrongPixels(out, targets, size)
    const before = wrongPixels(inputs, targets, size)
    const mean = (values: number[], p: number): number =>
      values.slice(p * k, (p + 1) * k).reduce((a, b) => a + b, 0) / k
    const perPatternAfter = Array.from({ length: n }, (_, p) => mean(after, p))
    const perPatternBefore = Array.from({ length: n }, (_, p) => mean(before, p))
    return {
      copies: k,
      wrongBefore: perPatternBefore,
      wrongAfter: perPatternAfter,
      meanWrongAfter: after.reduce((a, b) => a + b, 0) / after.length,
      meanWrongBefore: before.reduce((a, b) => a + b, 0) / before.length,
      maxWrongAfter: Math.max(...after),
      exactShare: after.filter((w) => w === 0).length / after.length
    }
  }
  const trainNoise = await measure('train', noise.copies)
  return { trainNoise, freshNoise: await measure('fresh', copies) }
}
