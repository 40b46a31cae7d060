// The output's loss gradients: the mean cross-entropy's at the probabilities, and the sigmoid
// cross-entropy's (with each row's loss) at the logits. Part of the dense kernels (dense.ts).
// (`@inline` is AssemblyScript's decorator for functions, which TypeScript's checker rejects:
// hence the `@ts-ignore: decorator` lines, the AssemblyScript convention.)

import { SIGMOID } from '../activation-codes'
import { activate4 } from './lanes'

/** The mean cross-entropy's gradient at the logits: d = (p - y) * scale over count values. */
export function outputDelta(p: usize, y: usize, d: usize, count: i32, scale: f32): void {
  const s = f32x4.splat(scale)
  const c4 = count & ~3
  let i = 0
  for (; i < c4; i += 4) {
    const off = (<usize>i) << 2
    v128.store(d + off, f32x4.mul(f32x4.sub(v128.load(p + off), v128.load(y + off)), s))
  }
  for (; i < count; i++) {
    const off = (<usize>i) << 2
    store<f32>(d + off, (load<f32>(p + off) - load<f32>(y + off)) * scale)
  }
}

// log(q) for q in [0.5, 1]: 2 atanh(s) with s = (q - 1) / (q + 1) in [-1/3, 0], by its series
// to s^13 (truncation below 1e-8).
// @ts-ignore: decorator
@inline function logHalfToOne4(q: v128): v128 {
  const s = f32x4.div(f32x4.sub(q, f32x4.splat(1.0)), f32x4.add(q, f32x4.splat(1.0)))
  const t = f32x4.mul(s, s)
  let p = f32x4.splat(<f32>(1.0 / 13.0))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(<f32>(1.0 / 11.0)))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(<f32>(1.0 / 9.0)))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(<f32>(1.0 / 7.0)))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(<f32>(1.0 / 5.0)))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(<f32>(1.0 / 3.0)))
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.0))
  return f32x4.mul(f32x4.mul(p, s), f32x4.splat(2.0))
}

/**
 * Binary cross-entropy from logits l[m x n] against targets x, summed over each row into
 * rowLoss[m] (f64), and its gradient at the logits, d = (sigmoid(l) - x) * scale. Per pixel
 * softplus(l) - l x = relu(l) - l x - log(max(p, 1 - p)), p = sigmoid(l), and
 * max(p, 1 - p) = 0.5 + |p - 0.5| lies in [0.5, 1].
 */
export function sigmoidCrossEntropy(l: usize, x: usize, d: usize, rowLoss: usize, m: i32, n: i32, scale: f32): void {
  const n4 = n & ~3
  const sc = f32x4.splat(scale)
  const half = f32x4.splat(0.5)
  for (let i = 0; i < m; i++) {
    const base = (<usize>(i * n)) << 2
    let acc = f32x4.splat(0)
    let j = 0
    for (; j < n4; j += 4) {
      const off = base + ((<usize>j) << 2)
      const z = v128.load(l + off)
      const y = v128.load(x + off)
      const p = activate4(z, SIGMOID)
      v128.store(d + off, f32x4.mul(f32x4.sub(p, y), sc))
      const q = f32x4.add(f32x4.abs(f32x4.sub(p, half)), half)
      const term = f32x4.sub(f32x4.sub(f32x4.max(z, f32x4.splat(0)), f32x4.mul(z, y)), logHalfToOne4(q))
      acc = f32x4.add(acc, term)
    }
    let sum = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
      <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3)
    for (; j < n; j++) {
      const off = base + ((<usize>j) << 2)
      const z = f32x4.splat(load<f32>(l + off))
      const y = f32x4.splat(load<f32>(x + off))
      const p = activate4(z, SIGMOID)
      store<f32>(d + off, f32x4.extract_lane(f32x4.mul(f32x4.sub(p, y), sc), 0))
      const q = f32x4.add(f32x4.abs(f32x4.sub(p, half)), half)
      const term = f32x4.sub(f32x4.sub(f32x4.max(z, f32x4.splat(0)), f32x4.mul(z, y)), logHalfToOne4(q))
      sum += <f64>f32x4.extract_lane(term, 0)
    }
    store<f64>(rowLoss + ((<usize>i) << 3), sum)
  }
}
