import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'

// Its own file: vitest runs each file in a fresh process, and a backend starts once per process.
// (The threaded build starting for real, and giving the same weights as one thread, is tested
// through the `lab` command in cli.test.ts.)

describe('the threaded wasm build failing to start', () => {
  it('falls back to the single-threaded build and says why', async () => {
    const choice = await chooseBackend({
      preferred: 'wasm',
      threads: 2,
      startThreaded: () => Promise.reject(new Error('SharedArrayBuffer is missing'))
    })
    expect(choice.backend).toBe('wasm')
    expect(choice.threads).toBe(1)
    expect(choice.label).toBe('wasm (1 thread)')
    expect(choice.note).toMatch(
      /^wasm \(1 thread\) \(the threaded build did not start: SharedArrayBuffer is missing\)$/
    )
    // And it computes.
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))
    expect(Array.from(product.dataSync())).toEqual([11])
  })
})
