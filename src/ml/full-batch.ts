import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig, OptimizerConfig } from '../shared/schemas'
import { autoencoderGradient, autoencoderOutputs, type AutoencoderModel } from './autoencoder'
import { createDenseTrainer } from './kernels/dense'
import { kernelsSupported } from './kernels/runtime'
import { createOptimizer } from './optimizers'

// Full-batch training arithmetic for the autoencoder trainer, on one flat parameter vector, in
// two implementations with one interface: the lab's WebAssembly kernels (kernels/dense.ts), used
// on the wasm backend, and tfjs ops (autoencoder.ts), used on the other backends. The trainer
// keeps the loop, the stop rules and the metrics; this keeps the parameters and optimizer state.

export type Arithmetic = 'kernels' | 'tfjs'

export interface FullBatch {
  /** Replaces the training inputs (a fresh noise draw); same shape as at creation. */
  setInputs(inputs: Float32Array): void
  /**
   * A first-order epoch: the outputs at the current parameters go to `update`, and when it
   * returns true the optimizer takes one step (`step` counts from 1).
   */
  epoch(lr: number, step: number, update: (outputs: Float32Array) => boolean): void
  /** Outputs and gradient at `values` (copies). */
  lossAndGrad(values: Float32Array): { outputs: Float32Array; grad: Float32Array }
  /** Outputs at `values`, or at the current parameters (valid until the next call). */
  outputsAt(values: Float32Array | null): Float32Array
  /** A copy of the current parameters. */
  params(): Float32Array
  setParams(values: Float32Array): void
  /** Brings `model.theta` up to date with the current parameters. */
  sync(): void
  dispose(): void
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
  arithmetic: Arithmetic = defaultArithmetic()
): FullBatch {
  return arithmetic === 'kernels'
    ? onKernels(model, inputs, targets, optimizer)
    : onTfjs(model, inputs, targets, optimizer)
}

function onKernels(
  model: AutoencoderModel,
  inputs: Float32Array,
  targets: Float32Array,
  optimizer: OptimizerConfig
): FullBatch {
  const size = model.spec.layers.at(-1)!.outputs
  const trainer = createDenseTrainer(
    model.spec,
    targets.length / size,
    isFirstOrder(optimizer) ? optimizer : null
  )
  trainer.theta.set(model.theta.dataSync())
  trainer.inputs.set(inputs)
  trainer.targets.set(targets)
  return {
    setInputs: (values) => trainer.inputs.set(values),
    epoch(lr, step, update) {
      if (update(trainer.gradient())) trainer.step(lr, step)
    },
    lossAndGrad(values) {
      trainer.theta.set(values)
      return { outputs: trainer.gradient().slice(), grad: trainer.grad.slice() }
    },
    outputsAt(values) {
      if (values) trainer.theta.set(values)
      return trainer.outputs()
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
  config: OptimizerConfig
): FullBatch {
  const size = model.spec.layers.at(-1)!.outputs
  const rows = targetValues.length / size
  let inputs = tf.tensor2d(inputValues, [rows, model.spec.layers[0]!.inputs])
  const targets = tf.tensor2d(targetValues, [rows, size])
  const optimizer = isFirstOrder(config) ? createOptimizer(config, [[model.theta.size]]) : null
  return {
    setInputs(values) {
      inputs.dispose()
      inputs = tf.tensor2d(values, inputs.shape)
    },
    epoch(lr, step, update) {
      tf.tidy(() => {
        // (Nothing is returned from tidy: it would walk a returned array element by element.)
        const { outputs, grad } = autoencoderGradient(model, model.theta, inputs, targets)
        if (update(outputs.dataSync() as Float32Array))
          optimizer!.apply([model.theta], [grad], lr, step)
      })
    },
    lossAndGrad(values) {
      const result: { outputs: Float32Array; grad: Float32Array } = {
        outputs: new Float32Array(0),
        grad: new Float32Array(0)
      }
      tf.tidy(() => {
        const { outputs, grad } = autoencoderGradient(model, tf.tensor1d(values), inputs, targets)
        result.outputs = outputs.dataSync() as Float32Array
        result.grad = grad.dataSync() as Float32Array
      })
      return result
    },
    outputsAt(values) {
      let out: Float32Array = new Float32Array(0)
      tf.tidy(() => {
        const theta = values ? tf.tensor1d(values) : model.theta
        out = autoencoderOutputs(model, theta, inputs).dataSync() as Float32Array
      })
      return out
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
