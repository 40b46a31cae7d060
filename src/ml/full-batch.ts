import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig, OptimizerConfig } from '../shared/schemas'
import { autoencoderLogits, autoencoderLoss, type AutoencoderModel } from './autoencoder'
import { createDenseTrainer } from './kernels/dense-trainer'
import { kernelsSupported } from './kernels/runtime'
import type { MlpSpec } from './mlp'
import { createOptimizer } from './optimizers'
import { createPace, rowsPerSlice, type Pace } from './pace'

// Full-batch training arithmetic for the autoencoder trainer, on one flat parameter vector, in
// two implementations with one interface: the lab's WebAssembly kernels
// (kernels/dense-trainer.ts), used on the wasm backend, and tfjs ops differentiated by tfjs's
// autodiff and stepped by tf.train's optimizers (optimizers.ts), used on the other backends. The trainer keeps the loop, the stop
// rules and the metrics; this keeps the parameters and optimizer state.
//
// A pass over the batch runs in slices of rows, with the trainer's pace (pace.ts) checking for a
// pause or a stop between them once about a second of work is done: the largest network the
// schema accepts, on 256 glyphs x 200 noisy copies, takes hundreds of GFLOP a pass. On the
// kernels, the slices' gradients add up to the same bits as the whole batch's (kernelGrad sums
// each element's rows in order across slices). On tfjs each slice's mean gradient is weighted by
// its share of the rows: the same to float32 rounding. A batch that fits in one slice (every
// letters run of ordinary size) is computed exactly as before, in one piece.

export type Arithmetic = 'kernels' | 'tfjs'

/** Work between two checks: about a second on one thread (kernels) or on the cpu backend. */
export const WORK_PER_CHECK: Record<Arithmetic, number> = { kernels: 4e9, tfjs: 1e9 }

/** Floating-point operations per row of a pass: 2 a weight forward, 6 forward and back. */
export function flopsPerRow(spec: MlpSpec, pass: 'forward' | 'gradient'): number {
  const weights = spec.layers.reduce((n, l) => n + (l.inputs + 1) * l.outputs, 0)
  return (pass === 'forward' ? 2 : 6) * weights
}

/** Rows of a gradient pass between two checks, for `rows` patterns on `arithmetic`. */
export function sliceRowsFor(spec: MlpSpec, rows: number, arithmetic: Arithmetic): number {
  return rowsPerSlice(rows, flopsPerRow(spec, 'gradient'), WORK_PER_CHECK[arithmetic])
}

export interface FullBatch {
  /** Rows a pass computes between two checks at most. */
  readonly sliceRows: number
  /** Replaces the training inputs (a fresh noise draw); same shape as at creation. */
  setInputs(inputs: Float32Array): void
  /**
   * A first-order epoch: the outputs at the current parameters go to `update`, and when it
   * returns true the optimizer takes one step (`step` counts from 1). A stop before the step
   * throws `Stopped` and leaves the parameters as they were.
   */
  epoch(lr: number, step: number, update: (outputs: Float32Array) => boolean): Promise<void>
  /** Outputs and gradient at `values` (copies); may throw `Stopped`. */
  lossAndGrad(values: Float32Array): Promise<{ outputs: Float32Array; grad: Float32Array }>
  /** Outputs at `values`, or at the current parameters (valid until the next call); may throw `Stopped`. */
  outputsAt(values: Float32Array | null): Promise<Float32Array>
  /** A copy of the current parameters. */
  params(): Float32Array
  setParams(values: Float32Array): void
  /** Brings `model.theta` up to date with the current parameters. */
  sync(): void
  dispose(): void
}

export interface FullBatchOptions {
  arithmetic?: Arithmetic
  /** Checks between slices (none: never stops inside a pass). */
  pace?: Pace
  /** Rows per slice (default: what fits the pace's budget; sliceRowsFor by default). */
  sliceRows?: number
}

/** Sets the model's parameter vector (assign keeps the tensor's data, not the tensor: dispose it). */
function assignTheta(model: AutoencoderModel, values: Float32Array): void {
  const tensor = tf.tensor1d(values)
  model.theta.assign(tensor)
  tensor.dispose()
}

const isFirstOrder = (config: OptimizerConfig): config is FirstOrderConfig =>
  config.kind === 'adam' || config.kind === 'sgd' || config.kind === 'rmsprop'

/** The arithmetic the trainer uses on the active backend. */
export function defaultArithmetic(): Arithmetic {
  return tf.getBackend() === 'wasm' && kernelsSupported() ? 'kernels' : 'tfjs'
}

export function createFullBatch(
  model: AutoencoderModel,
  inputs: Float32Array,
  targets: Float32Array,
  optimizer: OptimizerConfig,
  options: FullBatchOptions = {}
): FullBatch {
  const arithmetic = options.arithmetic ?? defaultArithmetic()
  const rows = targets.length / model.spec.layers.at(-1)!.outputs
  const pace = options.pace ?? createPace(undefined, WORK_PER_CHECK[arithmetic])
  const slice = Math.max(
    1,
    Math.min(
      rows,
      options.sliceRows ?? rowsPerSlice(rows, flopsPerRow(model.spec, 'gradient'), pace.budget)
    )
  )
  return arithmetic === 'kernels'
    ? onKernels(model, inputs, targets, optimizer, pace, slice)
    : onTfjs(model, inputs, targets, optimizer, pace, slice)
}

function onKernels(
  model: AutoencoderModel,
  inputs: Float32Array,
  targets: Float32Array,
  optimizer: OptimizerConfig,
  pace: Pace,
  slice: number
): FullBatch {
  const size = model.spec.layers.at(-1)!.outputs
  const rows = targets.length / size
  const trainer = createDenseTrainer(
    model.spec,
    rows,
    isFirstOrder(optimizer) ? optimizer : null,
    slice
  )
  trainer.theta.set(model.theta.dataSync())
  trainer.inputs.set(inputs)
  trainer.targets.set(targets)
  const backward = flopsPerRow(model.spec, 'gradient')
  const forward = flopsPerRow(model.spec, 'forward')
  const gradient = (): Promise<void> => pace.rows(rows, slice, backward, trainer.gradientRows)
  return {
    sliceRows: slice,
    setInputs: (values) => trainer.inputs.set(values),
    async epoch(lr, step, update) {
      await gradient()
      if (update(trainer.output)) trainer.step(lr, step)
    },
    async lossAndGrad(values) {
      trainer.theta.set(values)
      await gradient()
      return { outputs: trainer.output.slice(), grad: trainer.grad.slice() }
    },
    async outputsAt(values) {
      if (values) trainer.theta.set(values)
      await pace.rows(rows, slice, forward, trainer.outputRows)
      return trainer.output
    },
    params: () => trainer.theta.slice(),
    setParams: (values) => trainer.theta.set(values),
    sync: () => assignTheta(model, trainer.theta),
    dispose: () => undefined
  }
}

function onTfjs(
  model: AutoencoderModel,
  inputValues: Float32Array,
  targetValues: Float32Array,
  config: OptimizerConfig,
  pace: Pace,
  slice: number
): FullBatch {
  const size = model.spec.layers.at(-1)!.outputs
  const rows = targetValues.length / size
  let inputs = tf.tensor2d(inputValues, [rows, model.spec.layers[0]!.inputs])
  const targets = tf.tensor2d(targetValues, [rows, size])
  const optimizer = isFirstOrder(config) ? createOptimizer(config) : null
  const backward = flopsPerRow(model.spec, 'gradient')
  const forward = flopsPerRow(model.spec, 'forward')
  const outputs = new Float32Array(rows * size)
  /** Rows [r0, r1) of a batch tensor (the tensor itself when they are all of it). */
  const part = (t: tf.Tensor2D, r0: number, r1: number): tf.Tensor2D =>
    r1 - r0 === rows ? t : tf.slice(t, [r0, 0], [r1 - r0, -1])
  /** The gradient at theta over every row, slice by slice (kept: dispose it); outputs filled. */
  const gradientAt = async (theta: tf.Tensor1D): Promise<tf.Tensor1D> => {
    let sum: tf.Tensor1D | null = null
    try {
      await pace.rows(rows, slice, backward, (r0, r1) => {
        const next: tf.Tensor1D = tf.tidy(() => {
          const x = part(inputs, r0, r1)
          const y = part(targets, r0, r1)
          // The slice's loss differentiated by tf.grad; its outputs (sigmoid) kept out of the
          // gradient's scope to be read here.
          const kept: tf.Tensor[] = []
          const grad = tf.grad((t: tf.Tensor) => {
            const logits = autoencoderLogits(model, t as tf.Tensor1D, x)
            kept.push(tf.keep(tf.sigmoid(logits)))
            return autoencoderLoss(logits, y)
          })(theta) as tf.Tensor1D
          outputs.set(kept[0]!.dataSync(), r0 * size)
          tf.dispose(kept)
          if (r1 - r0 === rows) return grad
          // A slice's mean gradient, weighted by its share of the rows.
          const share = tf.mul(grad, tf.scalar((r1 - r0) / rows)) as tf.Tensor1D
          return sum ? (tf.add(sum, share) as tf.Tensor1D) : share
        })
        sum?.dispose()
        sum = next
      })
    } catch (error) {
      tf.dispose(sum ?? [])
      throw error
    }
    return sum!
  }
  return {
    sliceRows: slice,
    setInputs(values) {
      inputs.dispose()
      inputs = tf.tensor2d(values, inputs.shape)
    },
    async epoch(lr, _step, update) {
      const grad = await gradientAt(model.theta)
      try {
        if (update(outputs)) {
          optimizer!.setLearningRate(lr)
          optimizer!.applyGradients({ [model.theta.name]: grad })
        }
      } finally {
        grad.dispose()
      }
    },
    async lossAndGrad(values) {
      const theta = tf.tensor1d(values)
      try {
        const grad = await gradientAt(theta)
        const result = { outputs: outputs.slice(), grad: grad.dataSync() as Float32Array }
        grad.dispose()
        return result
      } finally {
        theta.dispose()
      }
    },
    async outputsAt(values) {
      const theta = values ? tf.tensor1d(values) : model.theta
      try {
        await pace.rows(rows, slice, forward, (r0, r1) =>
          tf.tidy(() => {
            outputs.set(
              tf.sigmoid(autoencoderLogits(model, theta, part(inputs, r0, r1))).dataSync(),
              r0 * size
            )
          })
        )
      } finally {
        if (values) theta.dispose()
      }
      return outputs
    },
    params: () => Float32Array.from(model.theta.dataSync()),
    setParams: (values) => assignTheta(model, values),
    sync: () => undefined,
    dispose() {
      optimizer?.dispose()
      inputs.dispose()
      targets.dispose()
    }
  }
}
