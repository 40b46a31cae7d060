import type { LetterTrainConfig } from '../shared/schemas'

// The networks' architecture as plain numbers, without TensorFlow.js: the layers an experiment
// builds and where their parameters sit in a flat vector. Hosts use it to check a session
// file's networks before any model is built from them.

export type Activation = 'tanh' | 'relu' | 'elu' | 'sigmoid' | 'linear'

export interface LayerSpec {
  inputs: number
  outputs: number
  activation: Activation
}

export interface MlpSpec {
  layers: LayerSpec[]
}

/** Number of parameters, and for each layer where its kernel and bias start in the flat vector. */
export function layout(spec: MlpSpec): {
  count: number
  sizes: number[]
  shapes: ([number, number] | [number])[]
} {
  const sizes: number[] = []
  const shapes: ([number, number] | [number])[] = []
  for (const layer of spec.layers) {
    sizes.push(layer.inputs * layer.outputs, layer.outputs)
    shapes.push([layer.inputs, layer.outputs], [layer.outputs])
  }
  return { count: sizes.reduce((a, b) => a + b, 0), sizes, shapes }
}

/** Builds a chain of dense layers from widths and one activation per layer. */
export function chain(widths: readonly number[], activations: readonly Activation[]): LayerSpec[] {
  if (activations.length !== widths.length - 1) throw new Error('one activation per layer')
  return activations.map((activation, i) => ({
    inputs: widths[i]!,
    outputs: widths[i + 1]!,
    activation
  }))
}

export interface AutoencoderShape {
  inputSize: number
  hidden: readonly number[]
  decoderHidden?: readonly number[]
  latent: number
  activation: Activation
  latentActivation: Activation
  decoderActivation?: Activation
}

export function autoencoderSpec(shape: AutoencoderShape): { spec: MlpSpec; latentLayer: number } {
  const encoderWidths = [shape.inputSize, ...shape.hidden, shape.latent]
  const decoderHidden = shape.decoderHidden ?? [...shape.hidden].reverse()
  const decoderWidths = [shape.latent, ...decoderHidden, shape.inputSize]
  const decoderActivation = shape.decoderActivation ?? shape.activation
  const encoder = chain(encoderWidths, [
    ...shape.hidden.map(() => shape.activation),
    shape.latentActivation
  ])
  const decoder = chain(decoderWidths, [...decoderHidden.map(() => decoderActivation), 'sigmoid'])
  return { spec: { layers: [...encoder, ...decoder] }, latentLayer: encoder.length }
}

export function shapeOf(config: LetterTrainConfig, inputSize: number): AutoencoderShape {
  return {
    inputSize,
    hidden: config.hidden,
    decoderHidden: config.decoderHidden,
    latent: config.latent,
    activation: config.activation,
    latentActivation: config.latentActivation,
    decoderActivation: config.decoderActivation
  }
}

export interface VaeShape {
  inputSize: number
  hidden: readonly number[]
  latent: number
  activation: Activation
}

export function vaeSpecs(shape: VaeShape): { encoder: MlpSpec; decoder: MlpSpec } {
  const enc = [shape.inputSize, ...shape.hidden, 2 * shape.latent]
  const dec = [shape.latent, ...[...shape.hidden].reverse(), shape.inputSize]
  return {
    encoder: { layers: chain(enc, [...shape.hidden.map(() => shape.activation), 'linear']) },
    decoder: { layers: chain(dec, [...shape.hidden.map(() => shape.activation), 'sigmoid']) }
  }
}

export interface CvaeShape extends VaeShape {
  /** Width of the class one-hot (a conditional VAE's). */
  classes: number
}

/** Encoder [pixels + classes, ...hidden, 2 x latent], decoder [latent + classes, ...hidden reversed, pixels]. */
export function cvaeSpecs(shape: CvaeShape): { encoder: MlpSpec; decoder: MlpSpec } {
  const hidden = shape.hidden.map(() => shape.activation)
  const enc = [shape.inputSize + shape.classes, ...shape.hidden, 2 * shape.latent]
  const dec = [shape.latent + shape.classes, ...[...shape.hidden].reverse(), shape.inputSize]
  return {
    encoder: { layers: chain(enc, [...hidden, 'linear']) },
    decoder: { layers: chain(dec, [...hidden, 'sigmoid']) }
  }
}

export type NetworkName = 'autoencoder' | 'encoder' | 'decoder'
