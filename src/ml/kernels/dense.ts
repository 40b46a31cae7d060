import type { FirstOrderConfig } from '../../shared/schemas'
import type { Activation, LayerSpec, MlpSpec } from '../mlp'
import { chunksFor, createPool, shares, type Pool } from './pool'
import {
  createArena,
  kernelActivation as activationIn,
  type Arena,
  type KernelArgs,
  type PooledKernel
} from './runtime'
import { ELU, LINEAR, RELU, SIGMOID, TANH } from './activation-codes'

// Dense layers on the lab's WebAssembly kernels: forward and backward passes over a chain of
// layers and first-order optimizer steps, over memory the network owns, split by rows between
// the threads of a pool. Parameters use the flat vector's layout (each layer's kernel, then its
// bias row: the augmented kernel). The letters train here (createDenseTrainer): at their sizes a
// tfjs epoch is ~80 ops whose fixed cost outweighs the arithmetic, and here it is ~20 calls into
// one module. The VAE builds on the same pieces (kernels/vae.ts).

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

/** Parameters, gradient and optimizer state over a flat vector of `count` values. */
export interface FlatParams {
  count: number
  /** Byte offsets. */
  theta: number
  grad: number
  /** One optimizer step on theta with the gradient; `step` counts from 1. */
  step(lr: number, step: number): void
}

export function placeParams(
  arena: Arena,
  pool: Pool,
  count: number,
  config: FirstOrderConfig | null
): FlatParams {
  // Padded to a multiple of 4 for the optimizer's loops; the padding's gradient stays zero.
  const padded = Math.ceil(count / 4) * 4
  const theta = arena.reserve(padded)
  const grad = arena.reserve(padded)
  const slotA = arena.reserve(config ? padded : 0)
  const slotB = arena.reserve(config?.kind === 'sgd' || !config ? 0 : padded)
  // One call of an optimizer kernel over the vector, in chunks (byte offset, length).
  const split = <K extends PooledKernel>(
    name: K,
    args: (at: number, length: number) => KernelArgs<K>
  ): void =>
    pool.run(
      name,
      chunks(pool, padded, padded).map(([a, b]) => args(a * 4, b - a))
    )
  const step = ((): FlatParams['step'] => {
    if (config === null)
      return () => {
        throw new Error('these parameters have no optimizer')
      }
    switch (config.kind) {
      case 'adam': {
        // The moments are kept divided by (1 - beta): the same update in fewer operations.
        // The kernel adds eps to the root of the kept v / (1 - beta2): epsilon on sqrt(v)
        // ('keras' form) is epsilon / sqrt(1 - beta2) there, and epsilon on the bias-corrected
        // sqrt(v / (1 - beta2^t)) ('pytorch' form) is epsilon sqrt(1 - beta2^t) / sqrt(1 - beta2).
        const { beta1, beta2 } = config
        const pytorch = config.epsilonForm === 'pytorch'
        return (lr, t) => {
          const size =
            ((lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t)) *
            ((1 - beta1) / Math.sqrt(1 - beta2))
          const eps =
            (config.epsilon * (pytorch ? Math.sqrt(1 - beta2 ** t) : 1)) / Math.sqrt(1 - beta2)
          split('adam', (at, n) => [
            theta + at,
            grad + at,
            slotA + at,
            slotB + at,
            n,
            beta1,
            beta2,
            eps,
            size
          ])
        }
      }
      case 'sgd':
        return (lr) =>
          split('sgd', (at, n) => [
            theta + at,
            grad + at,
            slotA + at,
            n,
            config.momentum,
            config.nesterov,
            lr
          ])
      case 'rmsprop':
        return (lr) =>
          split('rmsprop', (at, n) => [
            theta + at,
            grad + at,
            slotA + at,
            slotB + at,
            n,
            config.decay,
            config.epsilon,
            config.momentum,
            lr
          ])
    }
  })()
  return { count, theta, grad, step }
}

export interface DenseTrainer {
  /** The parameters (flat layout), live: write to set them, read after a step. */
  readonly theta: Float32Array
  /** The gradient left by the last `gradient()`, or summed by `gradientRows` so far. */
  readonly grad: Float32Array
  /** The training inputs and targets (rows x inputs, rows x outputs), to fill in. */
  readonly inputs: Float32Array
  readonly targets: Float32Array
  /** The sigmoid outputs of every row, as far as computed (a live view). */
  readonly output: Float32Array
  /** The most rows one call below computes: the trainer's working memory is sized for it. */
  readonly sliceRows: number
  /**
   * Forward and backward pass of rows [r0, r1) (at most `sliceRows`) of the mean binary
   * cross-entropy over all rows between the sigmoid outputs and the targets: their outputs land
   * in `output`, and their share of the gradient starts `grad` (r0 = 0) or is added to it. Rows
   * taken in order, slice after slice, leave the same bits as `gradient()`.
   */
  gradientRows(r0: number, r1: number): void
  /** Forward pass of rows [r0, r1) (at most `sliceRows`) into `output`. */
  outputRows(r0: number, r1: number): void
  /** Forward and backward pass of every row; returns `output` and leaves `grad`. */
  gradient(): Float32Array
  /** Forward pass of every row; returns `output`. */
  outputs(): Float32Array
  /** One optimizer step on `theta` with the last gradient; `step` counts from 1. */
  step(lr: number, step: number): void
}

/**
 * A full-batch trainer for `spec` on `rows` patterns, with `optimizer`'s state (zero moments),
 * on this thread, computing at most `sliceRows` rows at a time (its working memory is sized
 * for a slice; the caller may check for a stop or pause between slices). The last layer is
 * read as logits for a sigmoid cross-entropy, whatever its activation says.
 */
export function createDenseTrainer(
  spec: MlpSpec,
  rows: number,
  optimizer: FirstOrderConfig | null,
  sliceRows = rows
): DenseTrainer {
  const layers = spec.layers
  if (layers.length === 0) throw new Error('a network needs at least one layer')
  const most = Math.max(1, Math.min(rows, sliceRows))
  const arena = createArena()
  const pool = createPool(arena, 1)
  const count = layers.reduce((sum, l) => sum + (l.inputs + 1) * l.outputs, 0)
  const params = placeParams(arena, pool, count, optimizer)
  // Hidden outputs for one slice; the last layer writes straight into the rows' outputs.
  const chain = placeChain(arena, layers.slice(0, -1), most, params.theta, params.grad)
  const width = layers[0]!.inputs
  const size = layers.at(-1)!.outputs
  const last = layers.length - 1
  const lastParams = params.theta + (count - (layers[last]!.inputs + 1) * size) * 4
  const lastGrads = params.grad + (lastParams - params.theta)
  const inputs = arena.reserve(rows * width)
  const targets = arena.reserve(rows * size)
  const output = arena.reserve(rows * size)
  const widest = Math.max(...layers.map((l) => Math.max(l.inputs, l.outputs)))
  const scratch = {
    deltas: [arena.reserve(most * widest), arena.reserve(most * widest)] as [number, number],
    transposed: arena.reserve(Math.max(...layers.map((l) => l.inputs * l.outputs)))
  }
  const delta = arena.reserve(most * size)
  arena.commit()
  /** The chain over rows [r0, r1): slice-sized hidden outputs, then those rows' outputs. */
  const slice = (r0: number, r1: number): Chain => {
    if (!(r0 >= 0 && r1 > r0 && r1 <= rows && r1 - r0 <= most))
      throw new Error(`rows ${r0} to ${r1} are not a slice of ${rows} rows (at most ${most})`)
    return {
      layers,
      rows: r1 - r0,
      params: [...chain.params, lastParams],
      grads: [...chain.grads, lastGrads],
      outputs: [...chain.outputs, output + r0 * size * 4]
    }
  }
  const outputRows = (r0: number, r1: number): void =>
    forwardChain(pool, slice(r0, r1), inputs + r0 * width * 4, 'sigmoid')
  const gradientRows = (r0: number, r1: number): void => {
    const part = slice(r0, r1)
    forwardChain(pool, part, inputs + r0 * width * 4, 'sigmoid')
    arena.kernels.outputDelta(
      part.outputs.at(-1)!,
      targets + r0 * size * 4,
      delta,
      (r1 - r0) * size,
      1 / (rows * size)
    )
    backwardChain(pool, part, inputs + r0 * width * 4, delta, scratch, null, r0 > 0)
  }
  const out = arena.f32(output, rows * size)
  const everyRow = (run: (r0: number, r1: number) => void): Float32Array => {
    for (let r0 = 0; r0 < rows; r0 += most) run(r0, Math.min(rows, r0 + most))
    return out
  }
  return {
    theta: arena.f32(params.theta, count),
    grad: arena.f32(params.grad, count),
    inputs: arena.f32(inputs, rows * width),
    targets: arena.f32(targets, rows * size),
    output: out,
    sliceRows: most,
    gradientRows,
    outputRows,
    gradient: () => everyRow(gradientRows),
    outputs: () => everyRow(outputRows),
    step: params.step
  }
}
