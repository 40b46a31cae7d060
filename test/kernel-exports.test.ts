import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ACTIVATIONS } from '../src/ml/kernels/dense'
import { createPool } from '../src/ml/kernels/pool'
import { createArena, type Arena } from '../src/ml/kernels/runtime'
import type { Activation } from '../src/shared/schemas'
import { mulberry32 } from '../src/shared/random'
import { root } from './helpers'

// Each export of the lab's WebAssembly kernels (src/ml/kernels/assembly/dense.ts) called on its
// own, against the naive loop it stands for, in float64. Shapes with odd sizes reach the scalar
// tails; the larger ones the 4 x 8 register tiles. (Whole forward and backward passes are held
// to tf.grad in engine.test.ts, and the optimizer steps to the textbook updates there.)

const random = mulberry32(41)
const values = (n: number, scale = 1): number[] =>
  Array.from({ length: n }, () => (random() * 2 - 1) * scale)

/** An arena with the given arrays placed in it; returns their byte offsets and views. */
function place(
  arena: Arena,
  arrays: readonly (readonly number[])[]
): { at: number[]; view: (i: number) => Float32Array } {
  const at = arrays.map((a) => arena.reserve(a.length))
  arena.commit()
  arrays.forEach((a, i) => arena.f32(at[i]!, a.length).set(a))
  return { at, view: (i) => arena.f32(at[i]!, arrays[i]!.length) }
}

const exact: Record<Activation, (z: number) => number> = {
  linear: (z) => z,
  tanh: Math.tanh,
  relu: (z) => Math.max(0, z),
  elu: (z) => (z > 0 ? z : Math.expm1(z)),
  sigmoid: (z) => 1 / (1 + Math.exp(-z))
}
/** The derivative in terms of the output h, as the backward kernels take it. */
const derivative: Record<Activation, (h: number) => number> = {
  linear: () => 1,
  tanh: (h) => 1 - h * h,
  relu: (h) => (h > 0 ? 1 : 0),
  elu: (h) => (h > 0 ? 1 : h + 1),
  sigmoid: (h) => h * (1 - h)
}

const expectClose = (got: ArrayLike<number>, want: readonly number[], tolerance: number): void => {
  expect(got.length).toBe(want.length)
  let worst = 0
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)))
  expect(worst).toBeLessThan(tolerance)
}

const shapes: [number, number, number][] = [
  [5, 7, 11],
  [8, 9, 16],
  [1, 3, 2],
  [13, 35, 64]
]

describe('the activation codes', () => {
  it('are one table on both sides of the AssemblyScript boundary, each selecting its activation', () => {
    const folder = `${root}/src/ml/kernels/assembly`
    const sources = readdirSync(folder).filter((f) => f.endsWith('.ts'))
    const read = (file: string): string => readFileSync(`${folder}/${file}`, 'utf8')
    expect(read('lanes.ts')).toContain("from '../activation-codes'")
    // No activation is named by a bare number in any file of the kernels' source.
    for (const file of sources)
      expect(read(file), file).not.toMatch(
        /act == \d|activate4\([^()]*\), \d\)|activate4\(\w+, \d\)/
      )
    const { kernels } = createArena()
    expect(new Set(Object.values(ACTIVATIONS)).size).toBe(5)
    for (const name of Object.keys(ACTIVATIONS) as Activation[])
      for (const z of [-1.5, -0.25, 0.75])
        expect(kernels.activate(z, ACTIVATIONS[name]), `${name}(${z})`).toBeCloseTo(
          exact[name](z),
          6
        )
  })
})

describe('each kernel against its naive loop', () => {
  for (const [m, k, n] of shapes)
    for (const activation of Object.keys(ACTIVATIONS) as Activation[])
      it(`dense ${m}x${k} @ ${k + 1}x${n}, ${activation}`, () => {
        const arena = createArena()
        const a = values(m * k)
        const w = values((k + 1) * n)
        const { at, view } = place(arena, [a, w, new Array<number>(m * n).fill(0)])
        arena.kernels.dense(at[0]!, at[1]!, at[2]!, m, k, n, ACTIVATIONS[activation])
        const want: number[] = []
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = w[k * n + j]!
            for (let q = 0; q < k; q++) s += a[i * k + q]! * w[q * n + j]!
            want.push(exact[activation](s))
          }
        expectClose(view(2), want, 1e-5)
      })

  for (const [m, k, n] of shapes)
    for (const activation of Object.keys(ACTIVATIONS) as Activation[])
      it(`backInput ${m}x${n} @ ${n}x${k} times the ${activation} derivative`, () => {
        const arena = createArena()
        const d = values(m * n)
        const wt = values(n * k)
        const h = values(m * k).map((v) => exact[activation](v))
        const { at, view } = place(arena, [d, wt, h, new Array<number>(m * k).fill(0)])
        arena.kernels.backInput(at[0]!, at[1]!, at[2]!, at[3]!, m, n, k, ACTIVATIONS[activation])
        const want: number[] = []
        for (let i = 0; i < m; i++)
          for (let j = 0; j < k; j++) {
            let s = 0
            for (let q = 0; q < n; q++) s += d[i * n + q]! * wt[q * k + j]!
            want.push(s * derivative[activation](Math.fround(h[i * k + j]!)))
          }
        expectClose(view(3), want, 1e-5)
      })

  it('transpose, by row ranges', () => {
    const [k, n] = [7, 10]
    const arena = createArena()
    const w = values(k * n)
    const { at, view } = place(arena, [w, new Array<number>(n * k).fill(0)])
    arena.kernels.transpose(at[0]!, at[1]!, k, n, 0, 4)
    arena.kernels.transpose(at[0]!, at[1]!, k, n, 4, n)
    const want: number[] = []
    for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) want.push(w[q * n + j]!)
    expectClose(view(1), want, 1e-7)
  })

  for (const [m, k, n] of shapes)
    it(`kernelGrad [a, 1]^T @ d for ${m}x${k} and ${m}x${n}, by row ranges`, () => {
      const arena = createArena()
      const a = values(m * k)
      const d = values(m * n)
      const { at, view } = place(arena, [a, d, new Array<number>((k + 1) * n).fill(0)])
      const split = Math.floor((k + 1) / 2)
      arena.kernels.kernelGrad(at[0]!, at[1]!, at[2]!, m, k, n, 0, split, 0)
      arena.kernels.kernelGrad(at[0]!, at[1]!, at[2]!, m, k, n, split, k + 1, 0)
      const want: number[] = []
      for (let q = 0; q <= k; q++)
        for (let j = 0; j < n; j++) {
          let s = 0
          for (let i = 0; i < m; i++) s += (q === k ? 1 : a[i * k + q]!) * d[i * n + j]!
          want.push(s)
        }
      expectClose(view(2), want, 1e-5)
      // With acc = 1 the same rows are added to what it holds: twice the sum.
      arena.kernels.kernelGrad(at[0]!, at[1]!, at[2]!, m, k, n, 0, k + 1, 1)
      expectClose(
        view(2),
        want.map((v) => 2 * v),
        1e-5
      )
    })

  it('outputDelta (p - y) * scale', () => {
    const arena = createArena()
    const p = values(11).map((v) => (v + 1) / 2)
    const y = values(11).map((v) => (v > 0 ? 1 : 0))
    const { at, view } = place(arena, [p, y, new Array<number>(11).fill(0)])
    arena.kernels.outputDelta(at[0]!, at[1]!, at[2]!, 11, 0.25)
    expectClose(
      view(2),
      p.map((v, i) => (Math.fround(v) - y[i]!) * 0.25),
      1e-6
    )
  })

  it('sigmoidCrossEntropy: each row summed in float64, and the gradient at the logits', () => {
    const [m, n] = [3, 13]
    const arena = createArena()
    const l = values(m * n, 8)
    const x = values(m * n).map((v) => Math.abs(v))
    const { at, view } = place(arena, [l, x, new Array<number>(m * n).fill(0)])
    const rowLoss = arena.reserve(2 * m)
    arena.commit()
    arena.kernels.sigmoidCrossEntropy(at[0]!, at[1]!, at[2]!, rowLoss, m, n, 0.5)
    const lf = l.map(Math.fround)
    const xf = x.map(Math.fround)
    const rows: number[] = []
    for (let i = 0; i < m; i++) {
      let s = 0
      for (let j = 0; j < n; j++) {
        const z = lf[i * n + j]!
        s += Math.max(z, 0) - z * xf[i * n + j]! + Math.log1p(Math.exp(-Math.abs(z)))
      }
      rows.push(s)
    }
    expectClose(arena.f64(rowLoss, m), rows, 1e-5)
    expectClose(
      view(2),
      lf.map((z, i) => (1 / (1 + Math.exp(-z)) - xf[i]!) * 0.5),
      1e-6
    )
  })
})

describe('the optimizer kernels take the textbook step once', () => {
  // 8 values: the kernels' loops run over multiples of 4.
  const theta = values(8)
  const grad = values(8, 0.1)
  const slotA = values(8, 0.01)
  const slotB = values(8).map((v) => v * v * 1e-3)

  it('adam (moments kept divided by 1 - beta)', () => {
    const arena = createArena()
    const { at, view } = place(arena, [theta, grad, slotA, slotB])
    const [b1, b2, eps, size] = [0.9, 0.999, 1e-4, 0.01]
    arena.kernels.adam(at[0]!, at[1]!, at[2]!, at[3]!, 8, b1, b2, eps, size)
    const m = slotA.map((v, i) => v * b1 + grad[i]!)
    const v = slotB.map((s, i) => s * b2 + grad[i]! ** 2)
    expectClose(
      view(0),
      theta.map((t, i) => t - (m[i]! / (Math.sqrt(v[i]!) + eps)) * size),
      1e-6
    )
    expectClose(view(2), m, 1e-6)
    expectClose(view(3), v, 1e-6)
  })

  for (const nesterov of [false, true])
    it(`sgd with momentum${nesterov ? ' (Nesterov)' : ''}`, () => {
      const arena = createArena()
      const { at, view } = place(arena, [theta, grad, slotA])
      arena.kernels.sgd(at[0]!, at[1]!, at[2]!, 8, 0.9, nesterov, 0.1)
      const next = slotA.map((v, i) => v * 0.9 + grad[i]!)
      const direction = next.map((v, i) => (nesterov ? grad[i]! + v * 0.9 : v))
      expectClose(
        view(0),
        theta.map((t, i) => t - direction[i]! * 0.1),
        1e-6
      )
      expectClose(view(2), next, 1e-6)
    })

  it('rmsprop with momentum', () => {
    const arena = createArena()
    const { at, view } = place(arena, [theta, grad, slotB, slotA])
    arena.kernels.rmsprop(at[0]!, at[1]!, at[2]!, at[3]!, 8, 0.9, 1e-3, 0.5, 0.01)
    const sq = slotB.map((s, i) => s * 0.9 + 0.1 * grad[i]! ** 2)
    const update = slotA.map((v, i) => v * 0.5 + (grad[i]! / (Math.sqrt(sq[i]!) + 1e-3)) * 0.01)
    expectClose(
      view(0),
      theta.map((t, i) => t - update[i]!),
      1e-6
    )
    expectClose(view(2), sq, 1e-6)
    expectClose(view(3), update, 1e-6)
  })
})

describe('the typed pool call', () => {
  it('runs a kernel by name with its own argument list per chunk, on two threads', () => {
    const [m, k, n] = [64, 9, 16]
    const arena = createArena()
    const a = values(m * k)
    const w = values((k + 1) * n)
    const { at, view } = place(arena, [a, w, new Array<number>(m * n).fill(0)])
    const pool = createPool(arena, 2)
    try {
      const half = m / 2
      pool.run('dense', [
        [at[0]!, at[1]!, at[2]!, half, k, n, ACTIVATIONS.tanh],
        [at[0]! + half * k * 4, at[1]!, at[2]! + half * n * 4, half, k, n, ACTIVATIONS.tanh]
      ])
    } finally {
      pool.dispose()
    }
    const want: number[] = []
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = w[k * n + j]!
        for (let q = 0; q < k; q++) s += a[i * k + q]! * w[q * n + j]!
        want.push(Math.tanh(s))
      }
    expectClose(view(2), want, 1e-5)
  })
})
