import type { OptimizerConfig } from '../../shared/schemas'
import type { Activation, MlpSpec } from '../mlp'
import { denseWasmBase64 } from './dense-wasm'

// Full-batch training of a small dense network (the letters) on the lab's own WebAssembly
// kernels (dense.as.ts): products with 128-bit SIMD, activations fused into them, and the
// optimizer step, over memory the network owns. At the letters' sizes a tfjs epoch is ~80 ops
// whose fixed cost per op outweighs the arithmetic; here an epoch is ~20 calls into one module.
// The parameters use the flat vector's layout (each layer's kernel, then its bias row).

const ACTIVATIONS: Record<Activation, number> = { linear: 0, tanh: 1, relu: 2, elu: 3, sigmoid: 4 }

// The WebAssembly API, typed here: the node typings' lib (ES2022) does not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface Exports {
  memory: WasmMemory
  activate(z: number, act: number): number
  dense(a: number, w: number, c: number, m: number, k: number, n: number, act: number): void
  backInput(
    d: number,
    wt: number,
    h: number,
    g: number,
    m: number,
    n: number,
    k: number,
    act: number
  ): void
  transpose(w: number, wt: number, k: number, n: number): void
  kernelGrad(a: number, d: number, g: number, m: number, k: number, n: number): void
  outputDelta(p: number, y: number, d: number, count: number, scale: number): void
  adam(
    theta: number,
    grad: number,
    m: number,
    v: number,
    count: number,
    beta1: number,
    beta2: number,
    eps: number,
    stepSize: number
  ): void
  sgd(
    theta: number,
    grad: number,
    velocity: number,
    count: number,
    momentum: number,
    nesterov: number,
    lr: number
  ): void
  rmsprop(
    theta: number,
    grad: number,
    square: number,
    velocity: number,
    count: number,
    decay: number,
    eps: number,
    momentum: number,
    lr: number
  ): void
}

let compiled: object | null = null

function instantiate(): Exports {
  compiled ??= new wasmApi.Module(Buffer.from(denseWasmBase64, 'base64'))
  return new wasmApi.Instance(compiled, {}).exports as Exports
}

/** Whether this runtime runs the kernels (WebAssembly with SIMD). */
export function denseKernelsSupported(): boolean {
  try {
    instantiate()
    return true
  } catch {
    return false
  }
}

/** One activation as the kernels compute it (for checking their accuracy). */
export function kernelActivation(activation: Activation, z: number): number {
  probe ??= instantiate()
  return probe.activate(z, ACTIVATIONS[activation])
}
let probe: Exports | null = null

export type FirstOrderConfig = Extract<OptimizerConfig, { kind: 'adam' | 'sgd' | 'rmsprop' }>

export interface DenseTrainer {
  /** The parameters (flat layout), live: write to set them, read after a step. */
  readonly theta: Float32Array
  /** The gradient left by the last `gradient()`. */
  readonly grad: Float32Array
  /** The training inputs and targets (rows x inputs, rows x outputs), to fill in. */
  readonly inputs: Float32Array
  readonly targets: Float32Array
  /**
   * Forward and backward pass of the mean binary cross-entropy between the sigmoid outputs and
   * the targets; returns the outputs (a view, valid until the next call) and leaves `grad`.
   */
  gradient(): Float32Array
  /** Forward pass only; returns the outputs (a view, valid until the next call). */
  outputs(): Float32Array
  /** One optimizer step on `theta` with the last gradient; `step` counts from 1. */
  step(lr: number, step: number): void
}

/**
 * A trainer for `spec` on `rows` patterns, with `optimizer`'s state (zero moments). The last
 * layer is read as logits for a sigmoid cross-entropy, whatever its activation says.
 */
export function createDenseTrainer(
  spec: MlpSpec,
  rows: number,
  optimizer: FirstOrderConfig | null
): DenseTrainer {
  const wasm = instantiate()
  const layers = spec.layers
  if (layers.length === 0) throw new Error('a network needs at least one layer')
  // Bump allocation in 16-byte steps; nothing is freed (the instance goes with the trainer).
  let top = 1024
  const plan: number[] = []
  const reserve = (floats: number): number => {
    const at = top
    top += Math.ceil(floats / 4) * 16
    plan.push(at)
    return at
  }
  const sizes = layers.map((l) => (l.inputs + 1) * l.outputs)
  const count = sizes.reduce((a, b) => a + b, 0)
  const padded = Math.ceil(count / 4) * 4
  const theta = reserve(padded)
  const grad = reserve(padded)
  const slotA = reserve(padded)
  const slotB = reserve(padded)
  const input = reserve(rows * layers[0]!.inputs)
  const target = reserve(rows * layers.at(-1)!.outputs)
  const outputs = layers.map((l) => reserve(rows * l.outputs))
  const widest = Math.max(...layers.map((l) => Math.max(l.inputs, l.outputs)))
  const deltas = [reserve(rows * widest), reserve(rows * widest)]
  const transposed = reserve(Math.max(...layers.map((l) => l.inputs * l.outputs)))
  const offsets: number[] = []
  sizes.reduce((at, size) => (offsets.push(at), at + size * 4), theta)
  const pages = Math.ceil(top / 65536) - wasm.memory.buffer.byteLength / 65536
  if (pages > 0) wasm.memory.grow(pages)
  const buffer = wasm.memory.buffer
  const view = (at: number, length: number): Float32Array => new Float32Array(buffer, at, length)
  const last = layers.length - 1
  const out = view(outputs[last]!, rows * layers[last]!.outputs)

  const forward = (): void => {
    layers.forEach((layer, l) => {
      const act = l === last ? ACTIVATIONS.sigmoid : ACTIVATIONS[layer.activation]
      const from = l === 0 ? input : outputs[l - 1]!
      wasm.dense(from, offsets[l]!, outputs[l]!, rows, layer.inputs, layer.outputs, act)
    })
  }

  const step = stepper(wasm, optimizer, { theta, grad, slotA, slotB, padded })
  return {
    theta: view(theta, count),
    grad: view(grad, count),
    inputs: view(input, rows * layers[0]!.inputs),
    targets: view(target, rows * layers[last]!.outputs),
    outputs() {
      forward()
      return out
    },
    gradient() {
      forward()
      const size = rows * layers[last]!.outputs
      let d = 0
      wasm.outputDelta(outputs[last]!, target, deltas[d]!, size, 1 / size)
      for (let l = last; l >= 0; l--) {
        const { inputs: k, outputs: n } = layers[l]!
        const from = l === 0 ? input : outputs[l - 1]!
        const gradAt = grad + (offsets[l]! - theta)
        wasm.kernelGrad(from, deltas[d]!, gradAt, rows, k, n)
        if (l === 0) break
        wasm.transpose(offsets[l]!, transposed, k, n)
        const act = ACTIVATIONS[layers[l - 1]!.activation]
        wasm.backInput(deltas[d]!, transposed, from, deltas[1 - d]!, rows, n, k, act)
        d = 1 - d
      }
      return out
    },
    step
  }
}

function stepper(
  wasm: Exports,
  config: FirstOrderConfig | null,
  at: { theta: number; grad: number; slotA: number; slotB: number; padded: number }
): (lr: number, step: number) => void {
  const { theta, grad, slotA, slotB, padded } = at
  if (config === null)
    return () => {
      throw new Error('this trainer has no optimizer')
    }
  switch (config.kind) {
    case 'adam': {
      // The moments are kept divided by (1 - beta), as in optimizers.ts.
      const { beta1, beta2 } = config
      const eps = config.epsilon / Math.sqrt(1 - beta2)
      return (lr, step) => {
        const stepSize =
          ((lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)) *
          ((1 - beta1) / Math.sqrt(1 - beta2))
        wasm.adam(theta, grad, slotA, slotB, padded, beta1, beta2, eps, stepSize)
      }
    }
    case 'sgd':
      return (lr) =>
        wasm.sgd(theta, grad, slotA, padded, config.momentum, config.nesterov ? 1 : 0, lr)
    case 'rmsprop':
      return (lr) =>
        wasm.rmsprop(
          theta,
          grad,
          slotA,
          slotB,
          padded,
          config.decay,
          config.epsilon,
          config.momentum,
          lr
        )
  }
}
