import * as tf from '@tensorflow/tfjs'
import type { FirstOrderConfig, LearningRateSchedule } from '../shared/schemas'

// The first-order optimizers are tf.train's (Adam, momentum SGD, RMSprop), set to the lab's
// conventions where tf.train's differ (below); the lab's WebAssembly kernels have their own
// (kernels/dense.ts), and the tests hold both to the same textbook steps. Full-batch L-BFGS and
// Powell's derivative-free method keep their small state in Float64 arrays in JS.

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

// ---------------------------------------------------------------------------------------------
// Full-batch L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4) with a
// backtracking line search on the Armijo condition.
//
// Both methods evaluate the full batch many times a step, and on a large batch one evaluation is
// long: evaluations are asynchronous, so that the trainer can pause inside them (or stop them by
// throwing, which abandons the step and leaves theta as it was for L-BFGS).

export type LossAndGrad = (theta: Float32Array) => Promise<{ loss: number; grad: Float32Array }>
export type LossOnly = (theta: Float32Array) => Promise<number>

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

export interface Lbfgs {
  /** One iteration from theta (updated in place, only once it is complete); returns the new loss. */
  iterate(theta: Float32Array): Promise<number>
}

export function createLbfgs(evaluate: LossAndGrad, history: number, initial: Float32Array): Lbfgs {
  const s: Float64Array[] = []
  const y: Float64Array[] = []
  // The loss and gradient at the start, evaluated with the first iteration.
  let current: Awaited<ReturnType<LossAndGrad>> | null = null
  const start = Float32Array.from(initial)
  return {
    async iterate(theta) {
      current ??= await evaluate(start)
      const g = current.grad
      const n = g.length
      // Two-loop recursion: direction = -H g.
      const q = Float64Array.from(g)
      const alpha: number[] = []
      for (let i = s.length - 1; i >= 0; i--) {
        const rho = 1 / dot(y[i]!, s[i]!)
        const a = rho * dot(s[i]!, q)
        alpha[i] = a
        for (let k = 0; k < n; k++) q[k]! -= a * y[i]![k]!
      }
      const gamma = s.length
        ? dot(s.at(-1)!, y.at(-1)!) / dot(y.at(-1)!, y.at(-1)!)
        : 1 / Math.max(1e-12, Math.sqrt(dot(g, g)))
      for (let k = 0; k < n; k++) q[k]! *= gamma
      for (let i = 0; i < s.length; i++) {
        const rho = 1 / dot(y[i]!, s[i]!)
        const b = rho * dot(y[i]!, q)
        for (let k = 0; k < n; k++) q[k]! += s[i]![k]! * (alpha[i]! - b)
      }
      let slope = -dot(g, q)
      // Not a descent direction (numerical trouble): restart from steepest descent. (The
      // pairs are forgotten once the line search is over: a stop inside it keeps them.)
      const restart = !(slope < 0)
      if (restart) {
        for (let k = 0; k < n; k++) q[k] = g[k]! * gamma
        slope = -dot(g, q)
      }
      let step = 1
      const trial = new Float32Array(n)
      let next = current
      for (let tries = 0; tries < 30; tries++) {
        for (let k = 0; k < n; k++) trial[k] = theta[k]! - step * q[k]!
        next = await evaluate(trial)
        if (Number.isFinite(next.loss) && next.loss <= current.loss + 1e-4 * step * slope) break
        step *= 0.5
      }
      if (restart) {
        s.length = 0
        y.length = 0
      }
      const sk = new Float64Array(n)
      const yk = new Float64Array(n)
      for (let k = 0; k < n; k++) {
        sk[k] = trial[k]! - theta[k]!
        yk[k] = next.grad[k]! - g[k]!
      }
      if (!Number.isFinite(next.loss) || next.loss > current.loss) {
        // No acceptable step along this direction: forget the curvature pairs and start again
        // from steepest descent next iteration.
        s.length = 0
        y.length = 0
        return current.loss
      }
      theta.set(trial)
      if (dot(sk, yk) > 1e-10) {
        s.push(sk)
        y.push(yk)
        if (s.length > history) {
          s.shift()
          y.shift()
        }
      }
      current = next
      return current.loss
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Powell's conjugate-direction method (Powell, 1964; as in Numerical Recipes, 3rd ed., 10.7),
// with golden-section line minimisation. Derivative-free, for small networks only: one sweep
// costs (parameters + 1) line searches.

export const POWELL_MAX_PARAMS = 6000

async function lineMinimise(
  f: LossOnly,
  theta: Float32Array,
  dir: Float64Array,
  f0: number,
  scale: number
): Promise<{ step: number; loss: number }> {
  const n = theta.length
  const point = new Float32Array(n)
  const at = async (t: number): Promise<number> => {
    for (let k = 0; k < n; k++) point[k] = theta[k]! + t * dir[k]!
    const value = await f(point)
    return Number.isFinite(value) ? value : Infinity
  }
  // Bracket a minimum starting from steps of `scale` in either direction.
  let a = 0
  let fa = f0
  let b = scale
  let fb = await at(b)
  if (fb > fa) {
    b = -scale
    fb = await at(b)
    if (fb > fa) {
      // The minimum lies between -scale and scale: search there.
      return golden(at, -scale, 0, scale, f0)
    }
  }
  let c = b + 1.618 * (b - a)
  let fc = await at(c)
  for (let i = 0; i < 20 && fc < fb; i++) {
    a = b
    fa = fb
    b = c
    fb = fc
    c = b + 1.618 * (b - a)
    fc = await at(c)
  }
  void fa
  return golden(at, a, b, c, fb)
}

async function golden(
  at: (t: number) => Promise<number>,
  a: number,
  b: number,
  c: number,
  fb: number
): Promise<{ step: number; loss: number }> {
  const R = 0.381966
  let lo = Math.min(a, c)
  let hi = Math.max(a, c)
  let x = b
  let fx = fb
  for (let i = 0; i < 12; i++) {
    const u = x - lo > hi - x ? x - R * (x - lo) : x + R * (hi - x)
    const fu = await at(u)
    if (fu < fx) {
      if (u < x) hi = x
      else lo = x
      x = u
      fx = fu
    } else if (u < x) lo = u
    else hi = u
  }
  return { step: x, loss: fx }
}

export interface Powell {
  /**
   * One sweep over every direction from theta (updated in place as it goes); returns the new
   * loss. A stop thrown by an evaluation leaves theta part-way: the caller restores it.
   */
  sweep(theta: Float32Array): Promise<number>
}

export function createPowell(f: LossOnly, size: number): Powell {
  if (size > POWELL_MAX_PARAMS) {
    throw new Error(
      `Powell's method is for small networks: this one has ${size} parameters (at most ${POWELL_MAX_PARAMS})`
    )
  }
  // Directions start as the coordinate axes; only replaced ones are stored.
  const replaced = new Map<number, Float64Array>()
  const axis = (i: number): Float64Array => {
    const r = replaced.get(i)
    if (r) return r
    const d = new Float64Array(size)
    d[i] = 1
    return d
  }
  let scale = 0.5
  return {
    async sweep(theta) {
      const start = Float32Array.from(theta)
      let loss = await f(theta)
      const startLoss = loss
      let biggestDrop = 0
      let biggestIndex = 0
      for (let i = 0; i < size; i++) {
        const dir = axis(i)
        const { step, loss: next } = await lineMinimise(f, theta, dir, loss, scale)
        if (next < loss) {
          for (let k = 0; k < size; k++) theta[k]! += step * dir[k]!
          if (loss - next > biggestDrop) {
            biggestDrop = loss - next
            biggestIndex = i
          }
          loss = next
        }
      }
      // Replace the direction of largest decrease by the sweep's overall displacement.
      const overall = new Float64Array(size)
      let norm = 0
      for (let k = 0; k < size; k++) {
        overall[k] = theta[k]! - start[k]!
        norm += overall[k]! ** 2
      }
      if (norm > 0 && startLoss - loss > 0) {
        const { step, loss: next } = await lineMinimise(f, theta, overall, loss, 1)
        if (next < loss) {
          for (let k = 0; k < size; k++) theta[k]! += step * overall[k]!
          loss = next
        }
        replaced.set(biggestIndex, overall)
      }
      scale = Math.max(0.01, scale * 0.8)
      return loss
    }
  }
}
