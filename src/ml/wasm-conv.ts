import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

// Fast convolution gradients for the wasm backend of tfjs 4.22, as im2col + one matrix product on
// the backend's own BatchMatMul (XNNPACK, plain layout: its transposed path is slow).
//
// The backend lacks Conv2DBackpropFilter, so autodiff cannot train a convolution there; and its
// Conv2DBackpropInput (the input gradient, and the forward pass of a transposed convolution) is
// a naive loop. Profiled on the conv VAE (28x28 MNIST, batch 32, one thread), these two took 93%
// of a training step (~0.9 s). Both are registered here for wasm:
// - Conv2DBackpropFilter: dW [K x F] = cols [K x M] . dy [M x F], where cols holds, for each
//   filter tap and input channel (K = kh.kw.C rows), the input values that tap saw at each
//   output position (M = N.oh.ow columns; zero where the tap fell in the padding).
// - Conv2DBackpropInput: dcols [M x K] = dy [M x F] . W^T [F x K], then each column of dcols is
//   added back at the input position its tap read (col2im).
// The work buffers live in the backend's heap (no copies to JavaScript tensors); the loops run
// over contiguous rows. Sums run in another order than tfjs's cpu kernels, so values agree to
// float rounding (test/wasm-conv.test.ts compares with autodiff on cpu).

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
type Rounding = 'floor' | 'round' | 'ceil' | undefined
type Shape4 = [number, number, number, number]

interface ConvAttrs {
  strides: [number, number] | number
  pad: Pad
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: Rounding
}

function geometry(kernel: string, x: Shape4, filter: Shape4, attrs: ConvAttrs): Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm takes NHWC only`)
  return tf.backend_util.computeConv2DInfo(
    x,
    filter,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast'
  )
}

/** Writes cols [K x M]: row (r, s, c), column (n, i, j) is x[n, i.sh - top + r, j.sw - left + s, c]. */
function im2colRows(x: Float32Array, cols: Float32Array, g: Conv2DInfo): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = g
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g
  const top = g.padInfo.top
  const left = g.padInfo.left
  const m = g.batchSize * oh * ow
  for (let n = 0; n < g.batchSize; n++) {
    for (let i = 0; i < oh; i++) {
      const column = (n * oh + i) * ow
      for (let r = 0; r < kh; r++) {
        const ih = i * sh - top + r
        const inside = ih >= 0 && ih < h
        const rowBase = (n * h + ih) * w * c
        for (let s = 0; s < kw; s++) {
          const firstRow = (r * kw + s) * c
          for (let ch = 0; ch < c; ch++) {
            const out = (firstRow + ch) * m + column
            if (!inside) {
              cols.fill(0, out, out + ow)
              continue
            }
            let iw = s - left
            for (let j = 0; j < ow; j++, iw += sw)
              cols[out + j] = iw >= 0 && iw < w ? x[rowBase + iw * c + ch]! : 0
          }
        }
      }
    }
  }
}

/** Adds dcols [M x K] back into dx (zeroed): the transpose of im2col's gather, as a scatter. */
function col2im(dcols: Float32Array, dx: Float32Array, g: Conv2DInfo): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = g
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g
  const top = g.padInfo.top
  const left = g.padInfo.left
  const k = kh * kw * c
  dx.fill(0)
  for (let n = 0; n < g.batchSize; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const row = ((n * oh + i) * ow + j) * k
        for (let r = 0; r < kh; r++) {
          const ih = i * sh - top + r
          if (ih < 0 || ih >= h) continue
          for (let s = 0; s < kw; s++) {
            const iw = j * sw - left + s
            if (iw < 0 || iw >= w) continue
            const to = ((n * h + ih) * w + iw) * c
            const from = row + (r * kw + s) * c
            for (let ch = 0; ch < c; ch++) dx[to + ch]! += dcols[from + ch]!
          }
        }
      }
    }
  }
}

const heap = (b: BackendWasm, t: tf.TensorInfo): Float32Array =>
  b.typedArrayFromHeap(t) as Float32Array

/** a [M x K] . b [K x N] on the backend's BatchMatMul; the result has the shape [1, M, N]. */
function matMul(b: BackendWasm, a: tf.TensorInfo, bt: tf.TensorInfo): tf.TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm')
  if (!kernel) throw new Error('the wasm backend has no BatchMatMul')
  return kernel.kernelFunc({
    inputs: { a, b: bt },
    backend: b,
    attrs: { transposeA: false, transposeB: false }
  }) as tf.TensorInfo
}

const view = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ ...t, shape })

function backpropFilter(args: {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const b = args.backend as BackendWasm
  const x = args.inputs['x']!
  const dy = args.inputs['dy']!
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4 }
  const g = geometry('Conv2DBackpropFilter', x.shape as Shape4, attrs.filterShape, attrs)
  const k = g.filterHeight * g.filterWidth * g.inChannels
  const m = g.batchSize * g.outHeight * g.outWidth
  const cols = b.makeOutput([1, k, m], 'float32')
  im2colRows(heap(b, x), heap(b, cols), g)
  const out = matMul(b, cols, view(dy, [1, m, g.outChannels]))
  b.disposeData(cols.dataId)
  return view(out, attrs.filterShape)
}

function backpropInput(args: {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const b = args.backend as BackendWasm
  const dy = args.inputs['dy']!
  const filter = args.inputs['filter']!
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 }
  const g = geometry('Conv2DBackpropInput', attrs.inputShape, filter.shape as Shape4, attrs)
  const f = g.outChannels
  const k = g.filterHeight * g.filterWidth * g.inChannels
  const m = g.batchSize * g.outHeight * g.outWidth
  const transposed = b.makeOutput([1, f, k], 'float32')
  const w = heap(b, filter)
  const wt = heap(b, transposed)
  for (let row = 0; row < k; row++) for (let o = 0; o < f; o++) wt[o * k + row] = w[row * f + o]!
  const dcols = matMul(b, view(dy, [1, m, f]), transposed)
  b.disposeData(transposed.dataId)
  const dx = b.makeOutput(attrs.inputShape, 'float32')
  col2im(heap(b, dcols), heap(b, dx), g)
  b.disposeData(dcols.dataId)
  return dx
}

let registered = false

/**
 * Registers both kernels for wasm, once (replacing the stock Conv2DBackpropInput). Call before
 * training a convolution on wasm; harmless on other backends.
 */
export function registerWasmConvGradients(): void {
  if (registered) return
  registered = true
  if (!tf.getKernel('BatchMatMul', 'wasm')) return
  for (const [kernelName, kernelFunc] of [
    ['Conv2DBackpropFilter', backpropFilter],
    ['Conv2DBackpropInput', backpropInput]
  ] as const) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc })
  }
}
