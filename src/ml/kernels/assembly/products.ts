// Matrix products with the activation (or its derivative) fused, and the transpose the backward
// pass multiplies by. Part of the dense kernels (dense.ts).
// (`@inline` is AssemblyScript's decorator for functions, which TypeScript's checker rejects:
// hence the `@ts-ignore: decorator` lines, the AssemblyScript convention.)

import { activate4, derivative4, madd } from './lanes'

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
