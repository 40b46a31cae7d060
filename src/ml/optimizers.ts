import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig, LearningRateSchedule } from '../shared/schemas'

// The first-order optimizers are tf.train's (Adam, momentum SGD, RMSprop), set to the lab's
// conventions where tf.train's differ (below); the lab's WebAssembly kernels have their own
// (kernels/flat-params.ts), and the tests hold both to the same textbook steps. Full-batch L-BFGS
// (lbfgs.ts) and Powell's derivative-free method (powell.ts) keep their small state in Float64
// arrays in JS.

/** What applyGradients takes: gradients by variable name. */
type Gradients = Parameters<tf.Optimizer['applyGradients']>[0]

/** A tf.train optimizer whose learning rate can change between steps (schedules). */
export interface FirstOrderOptimizer extends tf.Optimizer {
  setLearningRate(lr: number): void
}

/**
 * Adam as the schema means it (and as the kernels compute it). In its 'keras' form (the
 * default) epsilon is added to sqrt(v) and the step size carries the bias corrections (Kingma &
 * Ba, 2015, end of section 2), as in Keras; tf.train.adam adds epsilon to the bias-corrected
 * sqrt(v / (1 - beta2^t)) instead (the paper's algorithm 1, and PyTorch's 'pytorch' form): the
 * same update with epsilon / sqrt(1 - beta2^t), so that is the epsilon each step hands it.
 */
class LabAdam extends tf.AdamOptimizer {
  constructor(
    lr: number,
    b1: number,
    b2: number,
    private readonly labEpsilon: number,
    private readonly epsilonForm: 'keras' | 'pytorch'
  ) {
    super(lr, b1, b2, labEpsilon)
  }
  setLearningRate(lr: number): void {
    this.learningRate = lr
  }
  override applyGradients(grads: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.epsilon =
      this.epsilonForm === 'pytorch'
        ? this.labEpsilon
        : this.labEpsilon / Math.sqrt(1 - this.beta2 ** (this.iterations + 1))
    super.applyGradients(grads)
  }
}

/** tf.train.momentum, whose dispose() leaves its learning-rate scalar behind (tfjs 4.22). */
class LabMomentum extends tf.MomentumOptimizer {
  override dispose(): void {
    super.dispose()
    this.c.dispose()
  }
}

/**
 * RMSprop as the schema means it (and as Keras, PyTorch and the kernels compute it): the
 * gradient over sqrt(mean square) + epsilon. tf.train.rmsprop takes sqrt(mean square + epsilon)
 * (as TensorFlow 1 did), which no choice of its epsilon turns into this: with the default 1e-7
 * it floors the denominator at 3e-4, larger than the letters' typical root mean squares. So the
 * step is written here, on tf.train's Optimizer (slots, iterations, minimize) like the others.
 */
class LabRmsprop extends tf.Optimizer {
  static get className(): string {
    return 'LabRMSProp'
  }
  private readonly slots = new Map<string, { square: tf.Variable; velocity: tf.Variable }>()
  constructor(
    private learningRate: number,
    private readonly config: Extract<FirstOrderConfig, { kind: 'rmsprop' }>
  ) {
    super()
  }
  setLearningRate(lr: number): void {
    this.learningRate = lr
  }
  applyGradients(grads: Gradients): void {
    const named = Array.isArray(grads)
      ? grads
      : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }))
    const { decay, epsilon, momentum } = this.config
    tf.tidy(() => {
      for (const { name, tensor: g } of named) {
        const value = tf.engine().registeredVariables[name]!
        let slot = this.slots.get(name)
        if (!slot) {
          slot = {
            square: tf.variable(tf.zerosLike(value), false),
            velocity: tf.variable(tf.zerosLike(value), false)
          }
          this.slots.set(name, slot)
        }
        const square = tf.add(tf.mul(slot.square, decay), tf.mul(tf.square(g), 1 - decay))
        const velocity = tf.add(
          tf.mul(slot.velocity, momentum),
          tf.mul(tf.div(g, tf.add(tf.sqrt(square), epsilon)), this.learningRate)
        )
        value.assign(tf.sub(value, velocity))
        slot.square.assign(square)
        slot.velocity.assign(velocity)
      }
    })
    this.incrementIterations()
  }
  override dispose(): void {
    for (const slot of this.slots.values()) tf.dispose([slot.square, slot.velocity])
    this.slots.clear()
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...this.config, learningRate: this.learningRate }
  }
}

/** The tf.train optimizer for a first-order config (learning rate set before each step). */
export function createOptimizer(config: FirstOrderConfig, lr = 0.001): FirstOrderOptimizer {
  switch (config.kind) {
    case 'adam':
      return new LabAdam(
        lr,
        config.beta1,
        config.beta2,
        config.epsilon,
        config.epsilonForm ?? 'keras'
      )
    case 'sgd':
      return new LabMomentum(lr, config.momentum, config.nesterov)
    case 'rmsprop':
      return new LabRmsprop(lr, config)
  }
}

/** The learning rate at a (1-based) epoch. */
export function learningRateAt(
  base: number,
  schedule: LearningRateSchedule,
  epoch: number,
  maxEpochs: number
): number {
  switch (schedule.kind) {
    case 'constant':
      return base
    case 'step':
      return base * schedule.factor ** Math.floor((epoch - 1) / schedule.every)
    case 'exponential':
      return base * schedule.rate ** (epoch - 1)
    case 'cosine': {
      const t = Math.min(1, (epoch - 1) / Math.max(1, maxEpochs - 1))
      return schedule.minimum + 0.5 * (base - schedule.minimum) * (1 + Math.cos(Math.PI * t))
    }
  }
}
