import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { defaultArithmetic, type Arithmetic } from '../src/ml/full-batch'
import { kernelActivation } from '../src/ml/kernels/dense'
import { createPool, shares } from '../src/ml/kernels/pool'
import { createArena, MAX_PAGES } from '../src/ml/kernels/runtime'
import { trainLetters } from '../src/ml/letters'
import type { EpochRecord } from '../src/ml/train-autoencoder'
import { defaultLetterConfig, type Glyph, type LetterTrainConfig } from '../src/shared/schemas'
import { loadFonts } from '../src/ml/data/datasets'
import { datasetsDir } from './helpers'
import {
  compileKernel,
  exportsPath,
  generatedExports,
  generatedModule,
  generatedPath,
  KERNELS,
  MAX_PAGES as BUILT_PAGES
} from '../scripts/build-kernels.mjs'

// The lab's own WebAssembly kernels for small dense networks (src/ml/kernels), used for full-batch
// training on the wasm backend. Their gradients and optimizer steps are checked against tfjs
// autodiff and the textbook updates in engine.test.ts; here: the committed module is the compiled
// source, the activations are accurate, and whole training runs follow the tfjs-ops trajectory.

let font2: Glyph[] = []
beforeAll(async () => {
  await chooseBackend({ preferred: 'wasm' })
  font2 = (await loadFonts(datasetsDir))[1]!.glyphs
})

describe('wasm kernels', () => {
  it('the committed modules and their typed exports are what the AssemblyScript source compiles to (npm run build:kernels)', async () => {
    expect(KERNELS.map((k) => k.name)).toEqual(['dense', 'dense-fma'])
    for (const { name } of KERNELS) {
      const bytes = await compileKernel(name)
      expect(readFileSync(generatedPath(name), 'utf8')).toBe(generatedModule(name, bytes))
    }
    // The TypeScript interface pool.run() and the arena are typed by (dense-exports.ts).
    expect(readFileSync(exportsPath, 'utf8')).toBe(await generatedExports())
    // The memory the runtime creates must satisfy the module's import (its maximum).
    expect(MAX_PAGES).toBe(BUILT_PAGES)
  })

  it('computes tanh, sigmoid, elu and relu to float32 accuracy', () => {
    let worst = { tanh: 0, sigmoid: 0, elu: 0, relu: 0, linear: 0 }
    const exact = {
      tanh: Math.tanh,
      sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
      elu: (z: number) => (z > 0 ? z : Math.expm1(z)),
      relu: (z: number) => Math.max(0, z),
      linear: (z: number) => z
    }
    for (let i = -40000; i <= 40000; i++) {
      const z = Math.fround(i / 1000 + (i % 7) * 1e-5)
      for (const name of Object.keys(exact) as (keyof typeof exact)[]) {
        const error = Math.abs(kernelActivation(name, z) - exact[name](z))
        worst = { ...worst, [name]: Math.max(worst[name], error) }
      }
    }
    // Absolute errors of a few float32 ulps of 1.
    expect(worst.tanh).toBeLessThan(3e-7)
    expect(worst.sigmoid).toBeLessThan(3e-7)
    expect(worst.elu).toBeLessThan(3e-7)
    expect(worst.relu).toBe(0)
    expect(worst.linear).toBe(0)
    // Relative accuracy near 0 too (where 1 - exp(-2z) would cancel).
    for (const z of [1e-3, -2e-2, 0.3, -0.6])
      expect(Math.abs(kernelActivation('tanh', z) / Math.tanh(z) - 1)).toBeLessThan(3e-7)
    expect(kernelActivation('sigmoid', -100)).toBeGreaterThanOrEqual(0)
    expect(kernelActivation('tanh', 500)).toBe(1)
  })

  it('the trainer uses them on the wasm backend and tfjs ops on the others', async () => {
    expect(tf.getBackend()).toBe('wasm')
    expect(defaultArithmetic()).toBe('kernels')
    await tf.setBackend('cpu')
    try {
      expect(defaultArithmetic()).toBe('tfjs')
    } finally {
      await tf.setBackend('wasm')
    }
  })
})

describe('training on the kernels follows training on tfjs ops', () => {
  const run = async (
    config: LetterTrainConfig,
    arithmetic: Arithmetic
  ): Promise<{ records: EpochRecord[]; weights: Float32Array; status: string }> => {
    const records: EpochRecord[] = []
    const result = await trainLetters(
      font2,
      config,
      { onEpoch: (r) => records.push(r) },
      { arithmetic }
    )
    const weights = Float32Array.from(result.model.theta.dataSync())
    result.model.dispose()
    return { records, weights, status: result.outcome.status }
  }
  const compare = async (
    config: LetterTrainConfig,
    tolerance: number,
    sameWeights = true
  ): Promise<void> => {
    const kernels = await run(config, 'kernels')
    const ops = await run(config, 'tfjs')
    expect(kernels.records.length).toBe(ops.records.length)
    kernels.records.forEach((record, i) => {
      const other = ops.records[i]!
      expect(Math.abs(record.loss - other.loss) / other.loss, `epoch ${record.epoch}`).toBeLessThan(
        tolerance
      )
    })
    // The runs moved (the comparison is not between two untouched initialisations).
    if (kernels.records.length > 1)
      expect(kernels.records.at(-1)!.loss).toBeLessThan(kernels.records[0]!.loss)
    if (!sameWeights) return
    let drift = 0
    kernels.weights.forEach((w, i) => (drift = Math.max(drift, Math.abs(w - ops.weights[i]!))))
    expect(drift).toBeLessThan(tolerance * 10)
  }

  it('Adam, the default letters recipe, 40 epochs', async () => {
    await compare({ ...defaultLetterConfig, epochs: 40, maxWrongPixels: null }, 1e-3)
  })

  it('RMSprop on fresh noise every epoch (denoising), 30 epochs', async () => {
    await compare(
      {
        ...defaultLetterConfig,
        optimizer: { kind: 'rmsprop', decay: 0.9, momentum: 0.5, epsilon: 1e-7 },
        learningRate: 0.002,
        epochs: 30,
        maxWrongPixels: null,
        noise: { kind: 'bitflip', level: 0.1, copies: 2, fresh: true, seed: 4 }
      },
      1e-3
    )
  })

  it('L-BFGS, 8 iterations', async () => {
    await compare(
      {
        ...defaultLetterConfig,
        optimizer: { kind: 'lbfgs', history: 5 },
        epochs: 8,
        maxWrongPixels: null
      },
      1e-3
    )
  })

  // One sweep, losses only: its line searches branch on loss comparisons, so float32 rounding
  // differences of ~1e-7 pick other steps along flat directions (weights far apart at equal
  // losses) and send a second sweep elsewhere (1% apart here). That Powell lowers the loss on
  // the kernels is tested in engine.test.ts.
  it("Powell's method, one sweep over a small network", async () => {
    await compare(
      {
        ...defaultLetterConfig,
        hidden: [3],
        subset: [0, 1, 2, 3],
        optimizer: { kind: 'powell' },
        epochs: 1,
        maxWrongPixels: null
      },
      1e-3,
      false
    )
  })
})

describe('splitting work between threads', () => {
  it('cuts a range into nearly equal, aligned, contiguous shares', () => {
    expect(shares(10, 1)).toEqual([[0, 10]])
    expect(shares(10, 2)).toEqual([
      [0, 5],
      [5, 10]
    ])
    expect(shares(10, 3)).toEqual([
      [0, 4],
      [4, 7],
      [7, 10]
    ])
    // Starts on multiples of 4 (the optimizer's vector loops).
    expect(shares(400_004, 2, 4)).toEqual([
      [0, 200_004],
      [200_004, 400_004]
    ])
    // No empty shares when there is less work than threads.
    expect(shares(1, 4)).toEqual([[0, 1]])
  })
})

describe('the kernel threads', () => {
  it('a call that fails in one chunk fails with its reason, after every chunk is done; the pool stays failed', () => {
    const arena = createArena()
    const at = arena.reserve(64)
    arena.commit()
    const pool = createPool(arena, 2)
    try {
      // One chunk points far outside the memory.
      expect(() =>
        pool.run('dense', [
          [at, at, at, 1, 1, 1, 0],
          [2 ** 31, at, at, 4, 4, 4, 0],
          [at, at, at, 1, 1, 1, 0]
        ])
      ).toThrow(/^a kernel call failed: .*out of bounds/)
      expect(pool.counts.chunks).toBe(3)
      expect(() =>
        pool.run('dense', [
          [at, at, at, 1, 1, 1, 0],
          [at, at, at, 1, 1, 1, 0]
        ])
      ).toThrow(/a kernel call failed: .*out of bounds/)
    } finally {
      pool.dispose()
    }
  })

  it('every chunk runs once, whichever thread takes it, call after call', () => {
    // Transposes of a 64 x 48 matrix into zeroed memory, 48 chunks of one row each, on four
    // threads; each call's result is checked before the next.
    const arena = createArena()
    const k = 64
    const n = 48
    const w = arena.reserve(k * n)
    const wt = arena.reserve(k * n)
    arena.commit()
    const source = arena.f32(w, k * n)
    const target = arena.f32(wt, k * n)
    const pool = createPool(arena, 4)
    try {
      for (let call = 0; call < 200; call++) {
        source.forEach((_, i) => (source[i] = call * 10_000 + i))
        target.fill(0)
        pool.run(
          'transpose',
          Array.from({ length: n }, (_, j) => [w, wt, k, n, j, j + 1])
        )
        let wrong = 0
        for (let j = 0; j < n; j++)
          for (let r = 0; r < k; r++) if (target[j * k + r] !== source[r * n + j]) wrong++
        expect(wrong, `call ${call}`).toBe(0)
      }
      expect(pool.counts.chunks).toBe(200 * n)
    } finally {
      pool.dispose()
    }
  })

  it('does not wait for helpers that are not running: calls made while they start are done here', () => {
    // Starting a helper (a worker thread with its own V8 heap) takes milliseconds; these calls
    // take microseconds. A static split would wait for the helpers to start; the shared counter
    // lets this thread take every chunk.
    const arena = createArena()
    const w = arena.reserve(16 * 16)
    const wt = arena.reserve(16 * 16)
    arena.commit()
    const pool = createPool(arena, 4)
    try {
      pool.run(
        'transpose',
        Array.from({ length: 16 }, (_, j) => [w, wt, 16, 16, j, j + 1])
      )
      expect(pool.counts).toEqual({ chunks: 16, here: 16 })
    } finally {
      pool.dispose()
    }
  })
})
