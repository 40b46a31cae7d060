import type { FirstOrderConfig } from '../../shared/schemas'
import type { MlpSpec } from '../mlp'
import { backwardChain, forwardChain, placeChain, type Chain } from './dense'
import { placeParams } from './flat-params'
import { createPool } from './pool'
import { createArena } from './runtime'

// The letters' full-batch trainer on the kernels: a dense chain read as logits for a sigmoid
// cross-entropy, computed a slice of rows at a time so that a caller can pause or stop between
// slices.

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
