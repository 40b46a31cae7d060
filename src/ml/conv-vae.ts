import * as tf from '@tensorflow/tfjs'
import {
  convDecoderLayers,
  convEncoderLayers,
  imageValues,
  KERNEL,
  innerSide,
  type ConvVaeShape
} from './conv-architecture'

import { meanAndLogVar, vaeLossParts, type VaeLoss } from './vae'

export type { ConvVaeShape } from './conv-architecture'

// A convolutional VAE on tfjs-layers (architecture: conv-architecture.ts). Its encoder and
// decoder are tfjs-layers Sequential models, so a session saves them as tfjs-layers artifacts
// that tf.loadLayersModel opens outside the lab; they start as tfjs-layers (and Keras) do:
// Glorot-uniform kernels (seeded), zero biases. Images travel as flat rows of values in [0, 1]
// (side x side x channels, interleaved) and are reshaped here. The loss is the dense VAE's:
// binary cross-entropy summed over the values (from the decoder's logits) + beta x KL, both
// averaged over the batch; tfjs autodiff differentiates it (train-conv-vae.ts).

export interface ConvVaeModel {
  kind: 'conv-vae'
  /**
   * With `inputSize`, the values of one image (what encode takes and decode returns), and
   * `classes`, the width of a conditional model's class one-hot (0: not conditional).
   */
  shape: ConvVaeShape & { inputSize: number; classes: number }
  encoder: tf.Sequential
  /** Ends with a sigmoid Activation layer: its output is the pixels' probabilities. */
  decoder: tf.Sequential
  /** The trainable weights, encoder's first. */
  variables: tf.Variable[]
  dispose(): void
}

const withInput = (shape: ConvVaeShape): ConvVaeModel['shape'] => ({
  ...shape,
  filters: [...shape.filters],
  inputSize: imageValues(shape),
  classes: shape.classes ?? 0
})

function model(shape: ConvVaeShape, encoder: tf.Sequential, decoder: tf.Sequential): ConvVaeModel {
  // A tfjs-layers weight holds its tf.Variable (read() returns it), which autodiff and the
  // optimizer update in place.
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map(
    (w) => w.read() as tf.Variable
  )
  return {
    kind: 'conv-vae',
    shape: withInput(shape),
    encoder,
    decoder,
    variables,
    dispose: () => {
      encoder.dispose()
      decoder.dispose()
    }
  }
}

/** A new convolutional VAE with seeded Glorot-uniform kernels and zero biases. */
export function createConvVae(shape: ConvVaeShape, seed: number): ConvVaeModel {
  let next = 0
  const init = (): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + next++ })
  })
  const conv = { kernelSize: KERNEL, padding: 'same' as const }
  const encoder = tf.sequential({ name: 'encoder' })
  shape.filters.forEach((filters, i) =>
    encoder.add(
      tf.layers.conv2d({
        ...conv,
        ...init(),
        filters,
        strides: 2,
        activation: 'relu',
        name: `encoder_conv_${i}`,
        inputShape:
          i === 0 ? [shape.size, shape.size, shape.channels + (shape.classes ?? 0)] : undefined
      })
    )
  )
  encoder.add(tf.layers.flatten({ name: 'encoder_flatten' }))
  encoder.add(
    tf.layers.dense({ ...init(), units: shape.dense, activation: 'relu', name: 'encoder_dense' })
  )
  encoder.add(tf.layers.dense({ ...init(), units: 2 * shape.latent, name: 'encoder_stats' }))

  const side = innerSide(shape)
  const reversed = [...shape.filters].reverse()
  const decoder = tf.sequential({ name: 'decoder' })
  decoder.add(
    tf.layers.dense({
      ...init(),
      units: side * side * reversed[0]!,
      activation: 'relu',
      inputShape: [shape.latent + (shape.classes ?? 0)],
      name: 'decoder_dense'
    })
  )
  decoder.add(
    tf.layers.reshape({ targetShape: [side, side, reversed[0]!], name: 'decoder_reshape' })
  )
  reversed.forEach((filters, i) =>
    decoder.add(
      tf.layers.conv2dTranspose({
        ...conv,
        ...init(),
        filters,
        strides: 2,
        activation: 'relu',
        name: `decoder_deconv_${i}`
      })
    )
  )
  decoder.add(
    tf.layers.conv2dTranspose({
      ...conv,
      ...init(),
      filters: shape.channels,
      strides: 1,
      name: 'decoder_logits'
    })
  )
  decoder.add(tf.layers.activation({ activation: 'sigmoid', name: 'decoder_sigmoid' }))
  checkLayers(shape, encoder, decoder)
  return model(shape, encoder, decoder)
}

/** A model from loaded tfjs-layers models, checked against the shape. */
export function convVaeOf(
  shape: ConvVaeShape,
  encoder: tf.LayersModel,
  decoder: tf.LayersModel
): ConvVaeModel {
  if (!(encoder instanceof tf.Sequential) || !(decoder instanceof tf.Sequential))
    throw new Error('a convolutional VAE is two tfjs-layers Sequential models')
  checkLayers(shape, encoder, decoder)
  return model(shape, encoder, decoder)
}

/** The built models' weights must have the architecture's shapes (a mismatch is a bug). */
function checkLayers(shape: ConvVaeShape, encoder: tf.Sequential, decoder: tf.Sequential): void {
  const pairs: [tf.Sequential, number[][]][] = [
    [encoder, convEncoderLayers(shape).flatMap((l) => l.weights)],
    [decoder, convDecoderLayers(shape).flatMap((l) => l.weights)]
  ]
  for (const [m, shapes] of pairs) {
    const got = m.weights.map((w) => w.shape.join('x')).join(', ')
    const want = shapes.map((s) => s.join('x')).join(', ')
    if (got !== want) throw new Error(`the ${m.name} has weights ${got}; expected ${want}`)
  }
}

/**
 * The encoder's input: rows of image values as images, with a conditional model's one-hot rows
 * y as as many more channels, each class's constant over the image.
 */
function encoderInput(m: ConvVaeModel, x: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
  const { size, channels, classes } = m.shape
  const n = x.shape[0]
  const images = tf.reshape(x, [n, size, size, channels]) as tf.Tensor4D
  if (classes === 0) return images
  const maps = tf.tile(tf.reshape(given(m, y), [n, 1, 1, classes]), [1, size, size, 1])
  return tf.concat4d([images, maps as tf.Tensor4D], 3)
}

/** The decoder's input: latent points, with a conditional model's one-hot rows beside them. */
const decoderInput = (m: ConvVaeModel, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D =>
  m.shape.classes === 0 ? z : tf.concat2d([z, given(m, y)], 1)

function given(m: ConvVaeModel, y: tf.Tensor2D | null): tf.Tensor2D {
  if (!y) throw new Error('a conditional VAE encodes and decodes for a class: give one')
  if (y.shape[1] !== m.shape.classes)
    throw new Error(`expected one-hot rows of ${m.shape.classes} classes, got ${y.shape[1]}`)
  return y
}

/** Mean and log-variance of q(z|x) (q(z|x,y) for a conditional model). Call inside tf.tidy. */
export function convVaeEncode(
  m: ConvVaeModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D | null = null
): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  return meanAndLogVar(m.encoder.apply(encoderInput(m, x, y)) as tf.Tensor2D, m.shape.latent)
}

/** The decoder's logits (all its layers but the sigmoid), as rows of image values. */
function decodeLogits(m: ConvVaeModel, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D {
  let t: tf.Tensor = decoderInput(m, z, y)
  for (const layer of m.decoder.layers.slice(0, -1)) t = layer.apply(t) as tf.Tensor
  return tf.reshape(t, [z.shape[0], m.shape.inputSize])
}

/** Pixel probabilities (rows of image values) for latent points. Call inside tf.tidy. */
export function convVaeDecode(
  m: ConvVaeModel,
  z: tf.Tensor2D,
  y: tf.Tensor2D | null = null
): tf.Tensor2D {
  return tf.reshape(m.decoder.apply(decoderInput(m, z, y)) as tf.Tensor, [
    z.shape[0],
    m.shape.inputSize
  ])
}

/**
 * Both loss parts for a batch x (rows of values in [0, 1]) with standard-normal draws `eps`
 * (batch x latent) for z = mu + exp(logvar / 2) * eps, and a conditional model's one-hot rows
 * y: binary cross-entropy summed over the values and KL(q(z|x) || N(0, I)), each averaged over
 * the batch. Call inside tf.tidy.
 */
export function convVaeLoss(
  m: ConvVaeModel,
  x: tf.Tensor2D,
  eps: tf.Tensor2D,
  y: tf.Tensor2D | null = null
): VaeLoss {
  return vaeLossParts(x, convVaeEncode(m, x, y), eps, (z) => decodeLogits(m, z, y))
}
