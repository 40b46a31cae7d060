// Four f32 lanes at a time: exp, the activations and their derivatives, and the multiply-add
// every product uses. Part of the dense kernels (dense.ts).
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
@inline export function activate4(z: v128, act: i32): v128 {
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
@inline export function derivative4(h: v128, act: i32): v128 {
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
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c)
  return f32x4.add(f32x4.mul(a, b), c)
}
