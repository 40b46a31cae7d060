import { setFlagsFromString } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { createVaeKernels } from '../src/ml/kernels/vae'
import { createArena, kernelBuild } from '../src/ml/kernels/runtime'
import { denseFmaWasmBase64 } from '../src/ml/kernels/dense-fma-wasm'
import { createVae, vaeParams } from '../src/ml/vae'
import { mulberry32 } from '../src/shared/random'

// The kernels come in two builds of one source (src/ml/kernels/runtime.ts): with relaxed SIMD's
// fused multiply-add, picked where the runtime validates it (Node 22+ and Electron 45 by
// default), and plain SIMD, the fallback. Node 20 validates relaxed SIMD only behind a V8 flag;
// this file turns the flag on (in its own test process) to run the FMA build here too.

const major = Number(process.versions.node.split('.')[0])
const validatedWithoutFlag = WebAssembly.validate(Buffer.from(denseFmaWasmBase64, 'base64'))

describe('the two builds of the kernels', () => {
  it('picks the fused multiply-add build where the runtime validates relaxed SIMD, the plain one elsewhere', () => {
    // Node 22+ (and so Electron 45's Node 24) validates it by default; Node 20 does not.
    expect(validatedWithoutFlag).toBe(major >= 22)
    expect(kernelBuild()).toBe(validatedWithoutFlag ? 'fma' : 'plain')
  })

  it('the FMA build computes the VAE step within float32 rounding of the plain one, each deterministic and the same on 1 and 2 threads', () => {
    if (!validatedWithoutFlag) setFlagsFromString('--experimental-wasm-relaxed-simd')
    expect(createArena('fma').build).toBe('fma')
    const model = createVae({ inputSize: 784, hidden: [256], latent: 2, activation: 'relu' }, 3)
    const random = mulberry32(5)
    const pixels = Float32Array.from({ length: 128 * 784 }, () => (random() < 0.2 ? random() : 0))
    const noise = Float32Array.from({ length: 256 }, () => random() * 2 - 1)
    const run = (build: 'fma' | 'plain', threads: number): Float32Array => {
      const kernels = createVaeKernels(
        model,
        128,
        { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
        threads,
        build
      )
      try {
        expect(kernels.build).toBe(build)
        kernels.theta.set(vaeParams(model))
        kernels.batch.set(pixels)
        kernels.noise.set(noise)
        for (let t = 1; t <= 3; t++) {
          kernels.gradient(1)
          kernels.step(0.001, t)
        }
        return kernels.theta.slice()
      } finally {
        kernels.dispose()
      }
    }
    const plain = run('plain', 1)
    const fma = run('fma', 1)
    const differing = (a: Float32Array, b: Float32Array): number =>
      a.reduce((n, x, i) => n + (x === b[i] ? 0 : 1), 0)
    // Each build: the same bits again, and on two threads.
    expect(differing(run('fma', 1), fma)).toBe(0)
    expect(differing(run('fma', 2), fma)).toBe(0)
    expect(differing(run('plain', 2), plain)).toBe(0)
    // The builds differ in the last bits (the products round once instead of twice) ...
    const initial = vaeParams(model)
    expect(differing(fma, plain)).toBeGreaterThan(0)
    // ... and only there: three Adam steps moved each weight by up to 3e-3; the builds agree to
    // a small fraction of that.
    let moved = 0
    let apart = 0
    fma.forEach((w, i) => {
      moved = Math.max(moved, Math.abs(w - initial[i]!))
      apart = Math.max(apart, Math.abs(w - plain[i]!))
    })
    expect(moved).toBeGreaterThan(1e-3)
    expect(apart).toBeLessThan(moved * 1e-2)
    model.dispose()
  })
})
