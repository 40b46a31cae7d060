// Kernel gradients: a layer's inputs transposed times its deltas, by ranges of rows so that
// threads can share one. Part of the dense kernels (dense.ts).
// (`@inline` is AssemblyScript's decorator for functions, which TypeScript's checker rejects:
// hence the `@ts-ignore: decorator` lines, the AssemblyScript convention.)

import { madd } from './lanes'

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
