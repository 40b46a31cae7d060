import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { mulberry32 } from '../src/shared/random'
import { registerWasmConvGradients } from '../src/ml/wasm-conv'

// The convolution kernels registered for wasm (src/ml/wasm-conv.ts) against tfjs's own autodiff on
// the cpu backend: a convolution and a transposed convolution, their input and filter gradients,
// on random shapes (odd sizes, strides 1 and 2, 'same' and 'valid' padding, several channels).

interface Case {
  batch: number
  side: [number, number]
  kernel: [number, number]
  channels: number
  filters: number
  stride: [number, number]
  pad: 'same' | 'valid'
}

const cases: Case[] = [
  { batch: 3, side: [7, 7], kernel: [3, 3], channels: 2, filters: 5, stride: [2, 2], pad: 'same' },
  { batch: 2, side: [8, 6], kernel: [3, 3], channels: 4, filters: 3, stride: [2, 2], pad: 'same' },
  { batch: 2, side: [9, 9], kernel: [3, 2], channels: 3, filters: 4, stride: [2, 1], pad: 'valid' },
  { batch: 4, side: [5, 5], kernel: [3, 3], channels: 1, filters: 6, stride: [1, 1], pad: 'same' },
  { batch: 1, side: [6, 7], kernel: [2, 3], channels: 5, filters: 2, stride: [1, 2], pad: 'valid' }
]

const values = (n: number, seed: number): Float32Array => {
  const random = mulberry32(seed)
  return Float32Array.from({ length: n }, () => random() * 2 - 1)
}

/** The gradients of sum(conv(x, w) * weights) and of the transposed convolution's. */
function gradients(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const xShape: [number, number, number, number] = [c.batch, ...c.side, c.channels]
    const wShape: [number, number, number, number] = [...c.kernel, c.channels, c.filters]
    const x = tf.tensor4d(
      values(
        xShape.reduce((a, b) => a * b),
        seed
      ),
      xShape
    )
    const w = tf.tensor4d(
      values(
        wShape.reduce((a, b) => a * b),
        seed + 1
      ),
      wShape
    )
    const y = tf.conv2d(x, w, c.stride, c.pad)
    const weights = tf.tensor(values(y.size, seed + 2), y.shape)
    const conv = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), weights))
    )([x, w])
    // The transposed convolution maps y's shape back to x's (its forward pass is the input
    // gradient kernel); its gradients are a convolution and a filter gradient.
    const back = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, xShape, c.stride, c.pad), x)
      )
    )([y, w])
    const forward = tf.conv2dTranspose(y, w, xShape, c.stride, c.pad)
    return [...conv, ...back, forward].map((t) => t.dataSync() as Float32Array)
  })
}

beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm', threads: 1 })
  registerWasmConvGradients()
})

describe('the wasm convolution gradients', () => {
  it('agree with autodiff on the cpu backend', async () => {
    for (const [i, c] of cases.entries()) {
      await tf.setBackend('cpu')
      const want = gradients(c, 10 * i + 1)
      await tf.setBackend('wasm')
      const got = gradients(c, 10 * i + 1)
      for (const [k, expected] of want.entries()) {
        const actual = got[k]!
        expect(actual.length).toBe(expected.length)
        const scale = Math.max(1, ...expected.map(Math.abs))
        let worst = 0
        for (let j = 0; j < expected.length; j++)
          worst = Math.max(worst, Math.abs(actual[j]! - expected[j]!))
        expect(worst / scale, `case ${i}, output ${k}`).toBeLessThan(1e-5)
      }
    }
    expect(tf.getBackend()).toBe('wasm')
  })

  it('keep no tensors from a training step', () => {
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D
    const w = tf.variable(tf.randomUniform([3, 3, 3, 4]) as tf.Tensor4D)
    const step = (): void =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() =>
          tf.sum(tf.square(tf.conv2dTranspose(tf.conv2d(x, w, 2, 'same'), w, x.shape, 2, 'same')))
        )
        tf.dispose(grads)
      })
    step()
    const before = tf.memory().numTensors
    step()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, w])
  })
})
