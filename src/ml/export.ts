import * as tf from '@tensorflow/tfjs'
import type { MlpSpec } from './mlp'
import { layout } from './mlp'
import { savedParams } from './saved-network'

// Weights in TensorFlow.js's own format: each network is saved as a tfjs-layers Sequential
// model of Dense layers, so `tf.loadLayersModel` opens it outside the lab. The artifacts are
// produced by tfjs-layers itself (model.save), not written by hand.

export interface SavedNetwork {
  modelTopology: Record<string, unknown>
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[]
  /** The weight bytes, base64. */
  weightData: string
}

function toBase64(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString('base64')
}

function fromBase64(text: string): ArrayBuffer {
  const bytes = Buffer.from(text, 'base64')
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
}

/** A Sequential model with the network's layers and the given flat parameters. */
export function toLayersModel(spec: MlpSpec, params: Float32Array, name: string): tf.Sequential {
  const model = tf.sequential({ name })
  spec.layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        units: layer.outputs,
        activation: layer.activation,
        inputShape: i === 0 ? [layer.inputs] : undefined,
        name: `${name}_dense_${i}`
      })
    )
  })
  const { sizes, shapes } = layout(spec)
  let at = 0
  const tensors = sizes.map((size, i) => {
    const t = tf.tensor(params.subarray(at, at + size), shapes[i]!)
    at += size
    return t
  })
  model.setWeights(tensors)
  tf.dispose(tensors)
  return model
}

/** Serialises a network as tfjs-layers artifacts (topology, weight manifest, base64 weights). */
export async function saveNetwork(
  spec: MlpSpec,
  params: Float32Array,
  name: string
): Promise<SavedNetwork> {
  const model = toLayersModel(spec, params, name)
  try {
    return await saveLayersModel(model)
  } finally {
    model.dispose()
  }
}

/** Serialises any tfjs-layers model as artifacts, with tfjs-layers' own model.save. */
export async function saveLayersModel(model: tf.LayersModel): Promise<SavedNetwork> {
  let saved: SavedNetwork | null = null
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData
      if (!artifacts.modelTopology || !artifacts.weightSpecs || !(data instanceof ArrayBuffer)) {
        throw new Error('tfjs produced incomplete model artifacts')
      }
      const specs = artifacts.weightSpecs.map((w) => {
        if (w.dtype !== 'float32') throw new Error(`unexpected weight type ${w.dtype}`)
        return { name: w.name, shape: w.shape, dtype: 'float32' as const }
      })
      saved = {
        modelTopology: artifacts.modelTopology as Record<string, unknown>,
        weightSpecs: specs,
        weightData: toBase64(data)
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    })
  )
  if (!saved) throw new Error('tfjs did not save the model')
  return saved
}

/** Loads saved artifacts with tf.loadLayersModel (the way any tfjs user would). */
export function loadLayersModel(saved: SavedNetwork): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: saved.modelTopology,
      weightSpecs: saved.weightSpecs,
      weightData: fromBase64(saved.weightData)
    })
  )
}

/**
 * The flat parameters of a saved network, checked against the expected layers (topology, weight
 * shapes, byte count, finite values) without building a model from the file.
 */
export async function loadNetworkParams(
  saved: SavedNetwork,
  spec: MlpSpec,
  name = 'network'
): Promise<Float32Array> {
  return savedParams(saved, spec, name)
}
