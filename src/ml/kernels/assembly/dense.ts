// Dense-network kernels, in f32 with 128-bit SIMD: products with the activation (or its
// derivative) fused, kernel gradients, the cross-entropy's gradient and first-order optimizer
// steps. Row-major matrices; pointers are byte offsets into the (imported, shared) memory. Work
// can be split between threads by rows (pointer offsets) or by the ranges some kernels take;
// every output element is computed the same way whatever the split.
// Activation codes: named in ../activation-codes.ts, which the TypeScript side imports too.
// (`@inline` is AssemblyScript's decorator for functions, which TypeScript's checker rejects:
// hence the `@ts-ignore: decorator` lines, the AssemblyScript convention.)

import { ELU, RELU, SIGMOID, TANH } from '../activation-codes'

// exp(x) for four lanes (Cephes expf: range reduction by ln 2, degree-5 polynomial, 2^n by
// building the exponent bits), relative error ~1e-7 over [-87, 88].
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0))
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)))
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)))
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)))
  let p = f32x4.splat(1.9875691500e-4)
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1))
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1))
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0))
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23)
  return f32x4.mul(p, scale)
}

// @ts-ignore: decorator
@inline function activate4(z: v128, act: i32): v128 {
  if (act == TANH) {
    // tanh |z| = (1 - e) / (1 + e) with e = exp(-2|z|), then z's sign; below 0.625, where that
    // loses relative accuracy, Cephes tanhf's odd polynomial.
    const a = f32x4.abs(z)
    const e = exp4(f32x4.mul(a, f32x4.splat(-2.0)))
    const t = f32x4.div(f32x4.sub(f32x4.splat(1.0), e), f32x4.add(f32x4.splat(1.0), e))
    const large = v128.or(t, v128.and(z, i32x4.splat(0x80000000)))
    const s = f32x4.mul(z, z)
    let p = f32x4.splat(-5.70498872745e-3)
    p = f32x4.add(f32x4.mul(p, s), f32x4.splat(2.06390887954e-2))
    p = f32x4.add(f32x4.mul(p, s), f32x4.splat(-5.37397155531e-2))
    p = f32x4.add(f32x4.mul(p, s), f32x4.splat(1.33314422036e-1))
    p = f32x4.add(f32x4.mul(p, s), f32x4.splat(-3.33332819422e-1))
    const small = f32x4.add(f32x4.mul(f32x4.mul(p, s), z), z)
    return v128.bitselect(small, large, f32x4.lt(a, f32x4.splat(0.625)))
  }
  if (act == RELU) return f32x4.max(z, f32x4.splat(0.0))
  if (act == ELU) {
    const e = f32x4.sub(exp4(f32x4.min(z, f32x4.splat(0.0))), f32x4.splat(1.0))
    return v128.bitselect(z, e, f32x4.gt(z, f32x4.splat(0.0)))
  }
  if (act == SIGMOID) return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), exp4(f32x4.neg(z))))
  return z
}

// The activation's derivative, written in terms of its output h.
// @ts-ignore: decorator
@inline function derivative4(h: v128, act: i32): v128 {
  const one = f32x4.splat(1.0)
  if (act == TANH) return f32x4.sub(one, f32x4.mul(h, h))
  if (act == RELU) return v128.and(one, f32x4.gt(h, f32x4.splat(0.0)))
  if (act == ELU) return v128.bitselect(one, f32x4.add(h, one), f32x4.gt(h, f32x4.splat(0.0)))
  if (act == SIGMOID) return f32x4.mul(h, f32x4.sub(one, h))
  return one
}

export function activate(z: f32, act: i32): f32 {
  return f32x4.extract_lane(activate4(f32x4.splat(z), act), 0)
}

// a * b + c in four lanes: one fused multiply-add in the module built with relaxed SIMD (where
// the hardware has FMA), a product rounded then a sum rounded in the plain module. The two
// modules may therefore differ in the last bits; each is deterministic on its own.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c)
  return f32x4.add(f32x4.mul(a, b), c)
}

// Epilogue of a product: mode 0 adds nothing more and activates; mode 1 multiplies by the
// activation's derivative at h.
// @ts-ignore: decorator
@inline function finish(s: v128, mode: i32, act: i32, h: usize): v128 {
  if (mode == 0) return activate4(s, act)
  return f32x4.mul(s, derivative4(v128.load(h), act))
}

// Columns [n4, n) of row i: scalar multiply-adds (the same in both modules).
// @ts-ignore: decorator
@inline function productTail(ai: usize, b: usize, ci: usize, hi: usize, k: i32, n: i32, n4: i32, bias: usize, mode: i32, act: i32): void {
  const rowB = (<usize>n) << 2
  for (let j = n4; j < n; j++) {
    const off = (<usize>j) << 2
    let s: f32 = bias ? load<f32>(bias + off) : 0
    let bp = b + off
    for (let kk = 0; kk < k; kk++) {
      s += load<f32>(ai + ((<usize>kk) << 2)) * load<f32>(bp)
      bp += rowB
    }
    const h4 = mode == 0 ? f32x4.splat(0) : f32x4.splat(load<f32>(hi + off))
    const r = mode == 0 ? activate4(f32x4.splat(s), act) : f32x4.mul(f32x4.splat(s), derivative4(h4, act))
    store<f32>(ci + off, f32x4.extract_lane(r, 0))
  }
}

// c[m x n] = a[m x k] @ b[k x n] (+ bias[n] when bias != 0), then the epilogue (see finish).
// Register tiles of 4 rows x 8 columns (8 accumulators: 2 loads of b and 4 of a per 8
// multiply-adds), then single rows; every element sums its k terms in order from the bias, so
// it comes out the same whichever tile computes it (and however the rows are split).
function product(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, bias: usize, mode: i32, act: i32, h: usize): void {
  const n8 = n & ~7
  const n4 = n & ~3
  const rowB = (<usize>n) << 2
  const rowA = (<usize>k) << 2
  let i = 0
  for (; i + 4 <= m; i += 4) {
    const a0 = a + ((<usize>(i * k)) << 2)
    const c0 = c + ((<usize>(i * n)) << 2)
    const h0 = h + ((<usize>(i * n)) << 2)
    let j = 0
    for (; j < n8; j += 8) {
      const off = (<usize>j) << 2
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0)
      if (bias) {
        s00 = v128.load(bias + off); s01 = v128.load(bias + off, 16)
      }
      let s10 = s00, s11 = s01, s20 = s00, s21 = s01, s30 = s00, s31 = s01
      let bp = b + off
      let ap = a0
      for (let kk = 0; kk < k; kk++) {
        const b0 = v128.load(bp)
        const b1 = v128.load(bp, 16)
        const x0 = v128.load32_splat(ap)
        s00 = madd(x0, b0, s00); s01 = madd(x0, b1, s01)
        const x1 = v128.load32_splat(ap + rowA)
        s10 = madd(x1, b0, s10); s11 = madd(x1, b1, s11)
        const x2 = v128.load32_splat(ap + 2 * rowA)
        s20 = madd(x2, b0, s20); s21 = madd(x2, b1, s21)
        const x3 = v128.load32_splat(ap + 3 * rowA)
        s30 = madd(x3, b0, s30); s31 = madd(x3, b1, s31)
        bp += rowB
        ap += 4
      }
      const rowC = (<usize>n) << 2
      v128.store(c0 + off, finish(s00, mode, act, h0 + off))
      v128.store(c0 + off, finish(s01, mode, act, h0 + off + 16), 16)
      v128.store(c0 + rowC + off, finish(s10, mode, act, h0 + rowC + off))
      v128.store(c0 + rowC + off, finish(s11, mode, act, h0 + rowC + off + 16), 16)
      v128.store(c0 + 2 * rowC + off, finish(s20, mode, act, h0 + 2 * rowC + off))
      v128.store(c0 + 2 * rowC + off, finish(s21, mode, act, h0 + 2 * rowC + off + 16), 16)
      v128.store(c0 + 3 * rowC + off, finish(s30, mode, act, h0 + 3 * rowC + off))
      v128.store(c0 + 3 * rowC + off, finish(s31, mode, act, h0 + 3 * rowC + off + 16), 16)
    }
    for (; j < n4; j += 4) {
      const off = (<usize>j) << 2
      let s0 = bias ? v128.load(bias + off) : f32x4.splat(0)
      let s1 = s0, s2 = s0, s3 = s0
      let bp = b + off
      let ap = a0
      for (let kk = 0; kk < k; kk++) {
        const b0 = v128.load(bp)
        s0 = madd(v128.load32_splat(ap), b0, s0)
        s1 = madd(v128.load32_splat(ap + rowA), b0, s1)
        s2 = madd(v128.load32_splat(ap + 2 * rowA), b0, s2)
        s3 = madd(v128.load32_splat(ap + 3 * rowA), b0, s3)
        bp += rowB
        ap += 4
      }
      const rowC = (<usize>n) << 2
      v128.store(c0 + off, finish(s0, mode, act, h0 + off))
      v128.store(c0 + rowC + off, finish(s1, mode, act, h0 + rowC + off))
      v128.store(c0 + 2 * rowC + off, finish(s2, mode, act, h0 + 2 * rowC + off))
      v128.store(c0 + 3 * rowC + off, finish(s3, mode, act, h0 + 3 * rowC + off))
    }
    if (n4 < n) {
      const rowC = (<usize>n) << 2
      for (let r = 0; r < 4; r++)
        productTail(a0 + (<usize>r) * rowA, b, c0 + (<usize>r) * rowC, h0 + (<usize>r) * rowC, k, n, n4, bias, mode, act)
    }
  }
  for (; i < m; i++) {
    const ai = a + ((<usize>(i * k)) << 2)
    const ci = c + ((<usize>(i * n)) << 2)
    const hi = h + ((<usize>(i * n)) << 2)
    let j = 0
    for (; j < n8; j += 8) {
      const off = (<usize>j) << 2
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0)
      if (bias) {
        s0 = v128.load(bias + off); s1 = v128.load(bias + off, 16)
      }
      let bp = b + off
      for (let kk = 0; kk < k; kk++) {
        const x = v128.load32_splat(ai + ((<usize>kk) << 2))
        s0 = madd(x, v128.load(bp), s0)
        s1 = madd(x, v128.load(bp, 16), s1)
        bp += rowB
      }
      v128.store(ci + off, finish(s0, mode, act, hi + off))
      v128.store(ci + off, finish(s1, mode, act, hi + off + 16), 16)
    }
    for (; j < n4; j += 4) {
      const off = (<usize>j) << 2
      let s = bias ? v128.load(bias + off) : f32x4.splat(0)
      let bp = b + off
      for (let kk = 0; kk < k; kk++) {
        s = madd(v128.load32_splat(ai + ((<usize>kk) << 2)), v128.load(bp), s)
        bp += rowB
      }
      v128.store(ci + off, finish(s, mode, act, hi + off))
    }
    productTail(ai, b, ci, hi, k, n, n4, bias, mode, act)
  }
}

/** A layer's output: c[m x n] = act(a[m x k] @ w[0:k] + w[k]), w the augmented kernel [(k + 1) x n]. */
export function dense(a: usize, w: usize, c: usize, m: i32, k: i32, n: i32, act: i32): void {
  product(a, w, c, m, k, n, w + ((<usize>(k * n)) << 2), 0, act, 0)
}

/** The gradient at a layer's input: g[m x k] = (d[m x n] @ wt[n x k]) * act'(h), wt the kernel transposed. */
export function backInput(d: usize, wt: usize, h: usize, g: usize, m: i32, n: i32, k: i32, act: i32): void {
  product(d, wt, g, m, n, k, 0, 1, act, h)
}

/** Rows [j0, j1) of wt[n x k] = w[0:k]^T, for a kernel w[k x n]. */
export function transpose(w: usize, wt: usize, k: i32, n: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    const row = wt + ((<usize>(j * k)) << 2)
    const column = w + ((<usize>j) << 2)
    const stride = (<usize>n) << 2
    for (let kk = 0; kk < k; kk++)
      store<f32>(row + ((<usize>kk) << 2), load<f32>(column + (<usize>kk) * stride))
  }
}

// Row kk of a kernel gradient (kk == k: the bias's row, whose inputs are ones), columns from 0;
// added to what g holds when acc is 1.
// @ts-ignore: decorator
@inline function kernelGradRow(a: usize, d: usize, g: usize, m: i32, k: i32, n: i32, kk: i32, acc: i32): void {
  const n8 = n & ~7
  const n4 = n & ~3
  const rowD = (<usize>n) << 2
  const rowA = (<usize>k) << 2
  const ones = kk == k
  const gk = g + ((<usize>(kk * n)) << 2)
  const ak = a + ((<usize>kk) << 2)
  let j = 0
  for (; j < n8; j += 8) {
    const off = (<usize>j) << 2
    let s0 = acc ? v128.load(gk + off) : f32x4.splat(0)
    let s1 = acc ? v128.load(gk + off, 16) : f32x4.splat(0)
    let dp = d + off
    let ap = ak
    for (let i = 0; i < m; i++) {
      const x = ones ? f32x4.splat(1) : v128.load32_splat(ap)
      s0 = madd(x, v128.load(dp), s0)
      s1 = madd(x, v128.load(dp, 16), s1)
      dp += rowD
      ap += rowA
    }
    v128.store(gk + off, s0); v128.store(gk + off, s1, 16)
  }
  for (; j < n4; j += 4) {
    const off = (<usize>j) << 2
    let s = acc ? v128.load(gk + off) : f32x4.splat(0)
    let dp = d + off
    let ap = ak
    for (let i = 0; i < m; i++) {
      const x = ones ? f32x4.splat(1) : v128.load32_splat(ap)
      s = madd(x, v128.load(dp), s)
      dp += rowD
      ap += rowA
    }
    v128.store(gk + off, s)
  }
  for (; j < n; j++) {
    const off = (<usize>j) << 2
    let s: f32 = acc ? load<f32>(gk + off) : 0
    let dp = d + off
    let ap = ak
    for (let i = 0; i < m; i++) {
      s += (ones ? <f32>1 : load<f32>(ap)) * load<f32>(dp)
      dp += rowD
      ap += rowA
    }
    store<f32>(gk + off, s)
  }
}

/**
 * Rows [k0, k1) of an augmented kernel's gradient g[(k + 1) x n] = [a, 1]^T @ d, with a[m x k]
 * and d[m x n] (row k is the bias's). Register tiles of 4 rows x 8 columns, then single rows;
 * each element sums its m terms in order, the same in either. With acc = 1 the sums start from
 * what g holds instead of zero: a batch's rows taken in slices, in order, then give the same
 * bits as the whole batch at once (the accumulators are f32 either way).
 */
export function kernelGrad(a: usize, d: usize, g: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32, acc: i32): void {
  const n8 = n & ~7
  const rowD = (<usize>n) << 2
  const rowA = (<usize>k) << 2
  const last = k1 < k ? k1 : k
  let kk = k0
  for (; kk + 4 <= last; kk += 4) {
    const g0 = g + ((<usize>(kk * n)) << 2)
    for (let j = 0; j < n8; j += 8) {
      const off = (<usize>j) << 2
      const z = f32x4.splat(0)
      const g1 = g0 + rowD, g2 = g0 + 2 * rowD, g3 = g0 + 3 * rowD
      let s00 = acc ? v128.load(g0 + off) : z, s01 = acc ? v128.load(g0 + off, 16) : z
      let s10 = acc ? v128.load(g1 + off) : z, s11 = acc ? v128.load(g1 + off, 16) : z
      let s20 = acc ? v128.load(g2 + off) : z, s21 = acc ? v128.load(g2 + off, 16) : z
      let s30 = acc ? v128.load(g3 + off) : z, s31 = acc ? v128.load(g3 + off, 16) : z
      let dp = d + off
      let ap = a + ((<usize>kk) << 2)
      for (let i = 0; i < m; i++) {
        const d0 = v128.load(dp)
        const d1 = v128.load(dp, 16)
        const x0 = v128.load32_splat(ap)
        s00 = madd(x0, d0, s00); s01 = madd(x0, d1, s01)
        const x1 = v128.load32_splat(ap, 4)
        s10 = madd(x1, d0, s10); s11 = madd(x1, d1, s11)
        const x2 = v128.load32_splat(ap, 8)
        s20 = madd(x2, d0, s20); s21 = madd(x2, d1, s21)
        const x3 = v128.load32_splat(ap, 12)
        s30 = madd(x3, d0, s30); s31 = madd(x3, d1, s31)
        dp += rowD
        ap += rowA
      }
      v128.store(g0 + off, s00); v128.store(g0 + off, s01, 16)
      v128.store(g0 + rowD + off, s10); v128.store(g0 + rowD + off, s11, 16)
      v128.store(g0 + 2 * rowD + off, s20); v128.store(g0 + 2 * rowD + off, s21, 16)
      v128.store(g0 + 3 * rowD + off, s30); v128.store(g0 + 3 * rowD + off, s31, 16)
    }
    // Columns past the tiles: row by row.
    if (n8 < n)
      for (let r = 0; r < 4; r++) kernelGradColumns(a, d, g, m, k, n, kk + r, n8, acc)
  }
  for (; kk < k1; kk++) kernelGradRow(a, d, g, m, k, n, kk, acc)
}

// Columns [from, n) of row kk < k of a kernel gradient, as kernelGradRow computes them.
function kernelGradColumns(a: usize, d: usize, g: usize, m: i32, k: i32, n: i32, kk: i32, from: i32, acc: i32): void {
  const n4 = n & ~3
  const rowD = (<usize>n) << 2
  const rowA = (<usize>k) << 2
  const gk = g + ((<usize>(kk * n)) << 2)
  const ak = a + ((<usize>kk) << 2)
  let j = from
  for (; j < n4; j += 4) {
    const off = (<usize>j) << 2
    let s = acc ? v128.load(gk + off) : f32x4.splat(0)
    let dp = d + off
    let ap = ak
    for (let i = 0; i < m; i++) {
      s = madd(v128.load32_splat(ap), v128.load(dp), s)
      dp += rowD
      ap += rowA
    }
    v128.store(gk + off, s)
  }
  for (; j < n; j++) {
    const off = (<usize>j) << 2
    let s: f32 = acc ? load<f32>(gk + off) : 0
    let dp = d + off
    let ap = ak
    for (let i = 0; i < m; i++) {
      s += load<f32>(ap) * load<f32>(dp)
      dp += rowD
      ap += rowA
    }
    store<f32>(gk + off, s)
  }
}

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

// Optimizer steps over a flat vector padded to a multiple of 4 (padding gradients are zero).

/** Adam with moments kept divided by (1 - beta); eps and stepSize scaled to match. */
export function adam(theta: usize, grad: usize, m: usize, v: usize, count: i32, beta1: f32, beta2: f32, eps: f32, stepSize: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), e = f32x4.splat(eps), s = f32x4.splat(stepSize)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const mN = f32x4.add(f32x4.mul(v128.load(m + off), b1), g)
    const vN = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(g, g))
    const step = f32x4.mul(f32x4.div(mN, f32x4.add(f32x4.sqrt(vN), e)), s)
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), step))
    v128.store(m + off, mN)
    v128.store(v + off, vN)
  }
}

export function sgd(theta: usize, grad: usize, velocity: usize, count: i32, momentum: f32, nesterov: bool, lr: f32): void {
  const mu = f32x4.splat(momentum), rate = f32x4.splat(lr)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const next = f32x4.add(f32x4.mul(v128.load(velocity + off), mu), g)
    const direction = nesterov ? f32x4.add(g, f32x4.mul(next, mu)) : next
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), f32x4.mul(direction, rate)))
    v128.store(velocity + off, next)
  }
}

export function rmsprop(theta: usize, grad: usize, square: usize, velocity: usize, count: i32, decay: f32, eps: f32, momentum: f32, lr: f32): void {
  const rho = f32x4.splat(decay), rest = f32x4.splat(<f32>1 - decay), e = f32x4.splat(eps)
  const mu = f32x4.splat(momentum), rate = f32x4.splat(lr)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const sq = f32x4.add(f32x4.mul(v128.load(square + off), rho), f32x4.mul(f32x4.mul(g, g), rest))
    const update = f32x4.add(f32x4.mul(v128.load(velocity + off), mu), f32x4.mul(f32x4.div(g, f32x4.add(f32x4.sqrt(sq), e)), rate))
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), update))
    v128.store(square + off, sq)
    v128.store(velocity + off, update)
  }
}
