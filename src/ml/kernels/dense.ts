import type { Activation, LayerSpec } from '../mlp'
import { chunksFor, shares, type Pool } from './pool'
import { kernelActivation as activationIn, type Arena } from './runtime'
import { ELU, LINEAR, RELU, SIGMOID, TANH } from './activation-codes'

// Dense layers on the lab's WebAssembly kernels: forward and backward passes over a chain of
// layers, over memory the network owns, split by rows between the threads of a pool. Parameters
// use the flat vector's layout (each layer's kernel, then its bias row: the augmented kernel);
// flat-params.ts holds them with their optimizer's steps. The letters train on these pieces
// (dense-trainer.ts): at their sizes a tfjs epoch is ~80 ops whose fixed cost outweighs the
// arithmetic, and here it is ~20 calls into one module. The VAE builds on them too (vae.ts).

/** The code the kernels take for each activation (activation-codes.ts, shared with assembly/). */
export const ACTIVATIONS = {
  linear: LINEAR,
  tanh: TANH,
  relu: RELU,
  elu: ELU,
  sigmoid: SIGMOID
} as const satisfies Record<Activation, number>

/** One activation as the kernels compute it (for checking their accuracy). */
export function kernelActivation(activation: Activation, z: number): number {
  return activationIn(ACTIVATIONS[activation], z)
}

// Below this many multiply-adds a product runs as one chunk: sharing a call costs a few
// microseconds.
const SPLIT_WORK = 1 << 16

/**
 * Ranges of `total` rows for a call: one when the work is small or the pool has one thread,
 * else a few chunks per thread (see pool.ts), starting on multiples of `align` (the kernels'
 * register tiles are 4 rows high).
 */
export const chunks = (pool: Pool, total: number, work: number, align = 4): [number, number][] =>
  shares(total, work >= SPLIT_WORK ? chunksFor(pool.parts) : 1, align)

/** Where a chain's layers live in an arena. */
export interface Chain {
  layers: readonly LayerSpec[]
  rows: number
  /** Byte offset of each layer's augmented kernel (parameters) and of its gradient. */
  params: number[]
  grads: number[]
  /** Byte offset of each layer's output (rows x outputs). */
  outputs: number[]
}

/** Lays out a chain's outputs in the arena; its parameters start at `params`, gradients at `grads`. */
export function placeChain(
  arena: Arena,
  layers: readonly LayerSpec[],
  rows: number,
  params: number,
  grads: number
): Chain {
  const offsets: number[] = []
  layers.reduce((at, l) => (offsets.push(at), at + (l.inputs + 1) * l.outputs * 4), 0)
  return {
    layers,
    rows,
    params: offsets.map((o) => params + o),
    grads: offsets.map((o) => grads + o),
    outputs: layers.map((l) => arena.reserve(rows * l.outputs))
  }
}

/** Runs the chain on `input`; the last layer's activation is `lastActivation` when given. */
export function forwardChain(
  pool: Pool,
  chain: Chain,
  input: number,
  lastActivation?: Activation
): void {
  const { layers, rows } = chain
  layers.forEach((layer, l) => {
    const { inputs: k, outputs: n } = layer
    const act =
      ACTIVATIONS[l === layers.length - 1 ? (lastActivation ?? layer.activation) : layer.activation]
    const from = l === 0 ? input : chain.outputs[l - 1]!
    const to = chain.outputs[l]!
    pool.run(
      'dense',
      chunks(pool, rows, rows * k * n).map(([r0, r1]) => [
        from + r0 * k * 4,
        chain.params[l]!,
        to + r0 * n * 4,
        r1 - r0,
        k,
        n,
        act
      ])
    )
  })
}

/**
 * Backpropagates `delta` (rows x last outputs: the loss gradient at the last layer's
 * pre-activation) through the chain run on `input`, writing every layer's gradient; with
 * `inputGrad`, also the gradient at the input. `scratch` holds two rows x widest buffers and a
 * transposed kernel. With `accumulate`, the kernel gradients are added to what they hold: a
 * batch's rows backpropagated in slices, in order, sum to the same bits as all at once.
 */
export function backwardChain(
  pool: Pool,
  chain: Chain,
  input: number,
  delta: number,
  scratch: { deltas: [number, number]; transposed: number },
  inputGrad: number | null = null,
  accumulate = false
): void {
  const { layers, rows } = chain
  let d = delta
  let next = 0
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inputs: k, outputs: n } = layers[l]!
    const from = l === 0 ? input : chain.outputs[l - 1]!
    const work = rows * k * n
    pool.run(
      'kernelGrad',
      chunks(pool, k + 1, work).map(([k0, k1]) => [
        from,
        d,
        chain.grads[l]!,
        rows,
        k,
        n,
        k0,
        k1,
        accumulate ? 1 : 0
      ])
    )
    if (l === 0 && inputGrad === null) break
    const { transposed } = scratch
    pool.run(
      'transpose',
      chunks(pool, n, k * n, 1).map(([j0, j1]) => [chain.params[l]!, transposed, k, n, j0, j1])
    )
    const target = l === 0 ? inputGrad! : scratch.deltas[next]!
    // At the input there is no activation to differentiate (h is then a placeholder).
    const act = l === 0 ? LINEAR : ACTIVATIONS[layers[l - 1]!.activation]
    const h = l === 0 ? target : from
    pool.run(
      'backInput',
      chunks(pool, rows, work).map(([r0, r1]) => [
        d + r0 * n * 4,
        transposed,
        h + r0 * k * 4,
        target + r0 * k * 4,
        r1 - r0,
        n,
        k,
        act
      ])
    )
    d = target
    next = 1 - next
  }
}
