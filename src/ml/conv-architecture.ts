import { MAX_IMPORT_SIZE, MIN_IMPORT_SIZE } from '../shared/imported-dataset'
import { base64Bytes, type SavedNetworkLike } from './saved-network'

// A convolutional VAE's architecture as plain numbers, without TensorFlow.js: its layers, the
// shapes of their weights, and the check of a saved network against them (hosts check a session
// file's networks before any model is built). The default is the Keras VAE example's: encoder
// conv 32 and 64 filters, 3x3, stride 2, 'same', ReLU; flatten; dense 16 ReLU; mean and
// log-variance (one dense layer of 2 x latent units: the two of the example, side by side).
// Decoder: dense (side/4)^2 x 64 ReLU, reshape, transposed conv 64 and 32, 3x3, stride 2, ReLU,
// then a transposed conv to the image's channels, 3x3, and a sigmoid.

export interface ConvVaeShape {
  /** Images are size x size pixels of `channels` (1 grey, 3 RGB, interleaved). */
  size: number
  channels: number
  /** Filters of the encoder's convolutions (each halves the side); the decoder's reversed. */
  filters: readonly number[]
  /** Units of the dense layer before the latent statistics. */
  dense: number
  latent: number
  /**
   * A conditional VAE's classes (absent or 0: not conditional): their one-hot goes into the
   * encoder as that many more input channels (each class's constant over the image) and into
   * the decoder's dense layer beside the latent point.
   */
  classes?: number
}

/** The classes a conv VAE experiment conditions on: 0 unless `conditional` (10 by default). */
export const conditionClasses = (e: { conditional?: boolean; classes?: number }): number =>
  e.conditional === true ? (e.classes ?? 10) : 0

export const KERNEL = 3

/** Values per image. */
export const imageValues = (shape: Pick<ConvVaeShape, 'size' | 'channels'>): number =>
  shape.size * shape.size * shape.channels

/** Why a data set's images do not fit these layers (null when they do). */
export function convShapeProblem(size: number, channels: number, layers: number): string | null {
  const step = 2 ** layers
  if (channels !== 1 && channels !== 3) return `images of ${channels} channels cannot be trained`
  if (size % step !== 0 || size < step)
    return `a convolutional VAE of ${layers} layer${layers === 1 ? '' : 's'} halves the image ${layers} time${layers === 1 ? '' : 's'}, so its side must divide by ${step}; these images are ${size}x${size} (import the set again with --size ${Math.max(step, Math.round(size / step) * step)}, or use fewer filter layers)`
  return null
}

/** The side of the smallest feature map (after the last convolution). */
export const innerSide = (shape: ConvVaeShape): number => shape.size / 2 ** shape.filters.length

/** One layer of a network as tfjs-layers names it, with its weights' shapes. */
export interface ConvLayerSpec {
  className: 'Conv2D' | 'Conv2DTranspose' | 'Dense' | 'Flatten' | 'Reshape' | 'Activation'
  activation?: 'relu' | 'linear' | 'sigmoid'
  weights: number[][]
}

export function convEncoderLayers(shape: ConvVaeShape): ConvLayerSpec[] {
  const layers: ConvLayerSpec[] = []
  let channels = shape.channels + (shape.classes ?? 0)
  for (const f of shape.filters) {
    layers.push({
      className: 'Conv2D',
      activation: 'relu',
      weights: [[KERNEL, KERNEL, channels, f], [f]]
    })
    channels = f
  }
  const flat = innerSide(shape) ** 2 * channels
  layers.push(
    { className: 'Flatten', weights: [] },
    { className: 'Dense', activation: 'relu', weights: [[flat, shape.dense], [shape.dense]] },
    {
      className: 'Dense',
      activation: 'linear',
      weights: [[shape.dense, 2 * shape.latent], [2 * shape.latent]]
    }
  )
  return layers
}

export function convDecoderLayers(shape: ConvVaeShape): ConvLayerSpec[] {
  const reversed = [...shape.filters].reverse()
  const last = reversed[0]!
  const flat = innerSide(shape) ** 2 * last
  const layers: ConvLayerSpec[] = [
    {
      className: 'Dense',
      activation: 'relu',
      weights: [[shape.latent + (shape.classes ?? 0), flat], [flat]]
    },
    { className: 'Reshape', weights: [] }
  ]
  let channels = last
  for (const f of reversed) {
    // A transposed convolution's kernel is height x width x output x input channels.
    layers.push({
      className: 'Conv2DTranspose',
      activation: 'relu',
      weights: [[KERNEL, KERNEL, f, channels], [f]]
    })
    channels = f
  }
  layers.push(
    {
      className: 'Conv2DTranspose',
      activation: 'linear',
      weights: [[KERNEL, KERNEL, shape.channels, channels], [shape.channels]]
    },
    { className: 'Activation', activation: 'sigmoid', weights: [] }
  )
  return layers
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The image size and channels a saved network was built for, read from its weights' shapes
 * (the encoder's first kernel and first dense layer; the decoder's first dense and last kernel).
 */
function imageOf(
  saved: SavedNetworkLike,
  network: 'encoder' | 'decoder',
  shape: Omit<ConvVaeShape, 'size' | 'channels'>
): { size: number; channels: number } | null {
  const w = saved.weightSpecs.map((s) => s.shape)
  const n = shape.filters.length
  const lastFilters = shape.filters.at(-1)!
  const cells =
    network === 'encoder' ? (w[2 * n]?.[0] ?? 0) / lastFilters : (w[0]?.[1] ?? 0) / lastFilters
  const inputs = network === 'encoder' ? w[0]?.[2] : w.at(-2)?.[2]
  const channels =
    inputs === undefined ? undefined : inputs - (network === 'encoder' ? (shape.classes ?? 0) : 0)
  const side = Math.round(Math.sqrt(cells))
  const size = side * 2 ** n
  if (side * side !== cells || channels === undefined) return null
  if (size < MIN_IMPORT_SIZE || size > MAX_IMPORT_SIZE) return null
  return { size, channels }
}

/**
 * Throws an Error naming the first way a saved network differs from the conv VAE's `network`
 * for this architecture (layers, activations, weight shapes, byte count), at whatever image size
 * and channels it was trained on (read from its weights). Returns that size and those channels.
 */
export function checkSavedConvNetwork(
  saved: SavedNetworkLike,
  network: 'encoder' | 'decoder',
  shape: Omit<ConvVaeShape, 'size' | 'channels'>
): { size: number; channels: number } {
  const where = `the ${network}'s`
  const topology = saved.modelTopology
  const config = topology['config']
  const layers = isRecord(config) ? config['layers'] : undefined
  if (topology['class_name'] !== 'Sequential' || !Array.isArray(layers))
    throw new Error(`${where} topology is not a tfjs-layers Sequential model`)
  const image = imageOf(saved, network, shape)
  if (!image) throw new Error(`${where} weights do not fit a convolutional VAE of these filters`)
  const problem = convShapeProblem(image.size, image.channels, shape.filters.length)
  if (problem) throw new Error(`${where} weights: ${problem}`)
  const full = { ...shape, ...image }
  const expected = network === 'encoder' ? convEncoderLayers(full) : convDecoderLayers(full)
  if (layers.length !== expected.length)
    throw new Error(`${where} topology has ${layers.length} layers; expected ${expected.length}`)
  expected.forEach((e, i) => {
    const layer: unknown = layers[i]
    const c = isRecord(layer) ? layer['config'] : undefined
    const label = `${where} layer ${i + 1}`
    if (!isRecord(layer) || layer['class_name'] !== e.className || !isRecord(c))
      throw new Error(`${label} is not a ${e.className} layer`)
    if (e.activation !== undefined && c['activation'] !== e.activation)
      throw new Error(
        `${label} has activation ${String(c['activation'])}; expected ${e.activation}`
      )
  })
  const shapes = expected.flatMap((e) => e.weights)
  if (saved.weightSpecs.length !== shapes.length)
    throw new Error(
      `${where} manifest lists ${saved.weightSpecs.length} weights; expected ${shapes.length}`
    )
  let count = 0
  saved.weightSpecs.forEach((w, i) => {
    const want = shapes[i]!
    if (w.shape.join('x') !== want.join('x'))
      throw new Error(
        `${where} weight ${i + 1} has shape ${w.shape.join('x')}; expected ${want.join('x')}`
      )
    if (w.dtype !== 'float32') throw new Error(`${where} weight ${i + 1} is not float32`)
    count += want.reduce((a, b) => a * b, 1)
  })
  const bytes = base64Bytes(saved.weightData)
  if (bytes === null) throw new Error(`${where} weight data is not base64`)
  if (bytes !== count * 4)
    throw new Error(`${where} weight data holds ${bytes} bytes; expected ${count * 4}`)
  return image
}
