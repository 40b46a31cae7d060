import type { FirstOrderConfig } from '../../shared/schemas'
import { chunks } from './dense'
import type { Pool } from './pool'
import type { Arena, KernelArgs, PooledKernel } from './runtime'

// A network's parameters as one flat vector in an arena, with its gradient and its first-order
// optimizer's state, stepped by the kernels (Adam, momentum SGD, RMSprop) split between a pool's
// threads.

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
