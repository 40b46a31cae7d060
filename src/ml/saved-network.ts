import type { MlpSpec } from './architecture'
import { layout } from './architecture'

// A saved network (tfjs-layers artifacts: topology, weight manifest, base64 weights) checked
// against the architecture its run declares, without building anything: a file may declare a
// layer of a billion units, and tfjs would try to allocate it before looking at the weights.

export interface SavedNetworkLike {
  modelTopology: Record<string, unknown>
  weightSpecs: { name: string; shape: number[]; dtype: string }[]
  weightData: string
}

/**
 * A network that is not a chain of dense layers (a convolutional VAE's) checks a saved network
 * itself; `checkSavedNetwork` hands it over.
 */
export interface CheckedNetworkSpec {
  check(saved: SavedNetworkLike, name: string): void
}

/** What a kind's catalog says each of its networks is. */
export type NetworkSpec = MlpSpec | CheckedNetworkSpec

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Bytes that a base64 text decodes to, or null when it is not base64. */
export function base64Bytes(text: string): number | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  return (text.length / 4) * 3 - padding
}

/** Throws an Error naming the first way `saved` differs from `spec` (the network `name`). */
export function checkSavedNetwork(saved: SavedNetworkLike, spec: NetworkSpec, name: string): void {
  if ('check' in spec) return spec.check(saved, name)
  const where = `the ${name}'s`
  const topology = saved.modelTopology
  const config = topology['config']
  const layers = isRecord(config) ? config['layers'] : undefined
  if (topology['class_name'] !== 'Sequential' || !Array.isArray(layers))
    throw new Error(`${where} topology is not a tfjs-layers Sequential model`)
  if (layers.length !== spec.layers.length)
    throw new Error(`${where} topology has ${layers.length} layers; expected ${spec.layers.length}`)
  spec.layers.forEach((expected, i) => {
    const layer: unknown = layers[i]
    const c = isRecord(layer) ? layer['config'] : undefined
    const label = `${where} layer ${i + 1}`
    if (!isRecord(layer) || layer['class_name'] !== 'Dense' || !isRecord(c))
      throw new Error(`${label} is not a Dense layer`)
    if (c['units'] !== expected.outputs)
      throw new Error(`${label} has ${String(c['units'])} units; expected ${expected.outputs}`)
    if (c['activation'] !== expected.activation)
      throw new Error(
        `${label} has activation ${String(c['activation'])}; expected ${expected.activation}`
      )
    if (c['use_bias'] !== undefined && c['use_bias'] !== true)
      throw new Error(`${label} has no bias; expected one`)
    const input = c['batch_input_shape'] ?? c['batchInputShape']
    if (i === 0 && !(Array.isArray(input) && input.length === 2 && input[1] === expected.inputs))
      throw new Error(`${label} does not take ${expected.inputs} inputs`)
  })
  const { shapes, count } = layout(spec)
  if (saved.weightSpecs.length !== shapes.length)
    throw new Error(
      `${where} manifest lists ${saved.weightSpecs.length} weights; expected ${shapes.length}`
    )
  saved.weightSpecs.forEach((w, i) => {
    const shape = w.shape.join('x')
    const expected = shapes[i]!.join('x')
    if (shape !== expected)
      throw new Error(`${where} weight ${i + 1} has shape ${shape}; expected ${expected}`)
    if (w.dtype !== 'float32') throw new Error(`${where} weight ${i + 1} is not float32`)
  })
  const bytes = base64Bytes(saved.weightData)
  if (bytes === null) throw new Error(`${where} weight data is not base64`)
  if (bytes !== count * 4)
    throw new Error(`${where} weight data holds ${bytes} bytes; expected ${count * 4}`)
}

/** The flat parameters of a saved network, checked first (shapes, byte count, finite values). */
export function savedParams(saved: SavedNetworkLike, spec: MlpSpec, name: string): Float32Array {
  checkSavedNetwork(saved, spec, name)
  const bytes = Buffer.from(saved.weightData, 'base64')
  const values = new Float32Array(bytes.byteLength / 4)
  new Uint8Array(values.buffer).set(bytes)
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!))
      throw new Error(`the ${name}'s weights hold a non-finite value (at ${i})`)
  return values
}
