import * as tf from '@tensorflow/tfjs'

// The wasm backend of tfjs 4.22 has Conv2D and Conv2DBackpropInput but no Conv2DBackpropFilter,
// so tfjs autodiff cannot train a convolution there ("kernel not registered"). A 2-D filter
// gradient is the 3-D one of a volume one deep: this registers Conv2DBackpropFilter for wasm as
// the backend's own Conv3DBackpropFilterV2 kernel on the same data, viewed as N x 1 x H x W x C
// (the kernel reads only the data and the shapes it is given, so nothing is copied).

interface TensorInfoLike {
  dataId: object
  shape: number[]
  dtype: string
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number
  pad: 'valid' | 'same' | number
  dataFormat: 'NHWC' | 'NCHW'
  dilations?: [number, number] | number
  filterShape: [number, number, number, number]
}

const pair = (v: [number, number] | number): [number, number] =>
  typeof v === 'number' ? [v, v] : v

let registered = false

/** Registers the kernel once, if the wasm backend lacks it (a later tfjs may bring its own). */
export function registerWasmConvGradients(): void {
  if (registered) return
  registered = true
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')
  if (!conv3d) return
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs['x'] as TensorInfoLike
      const dy = inputs['dy'] as TensorInfoLike
      const a = attrs as unknown as Conv2DBackpropFilterAttrs
      if (a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm takes NHWC only')
      if (typeof a.pad === 'number')
        throw new Error('Conv2DBackpropFilter on wasm takes same or valid padding')
      const [dh, dw] = pair(a.dilations ?? 1)
      if (dh !== 1 || dw !== 1) throw new Error('Conv2DBackpropFilter on wasm takes no dilation')
      const [sh, sw] = pair(a.strides)
      const [n, h, w, c] = x.shape as [number, number, number, number]
      const [, oh, ow, f] = dy.shape as [number, number, number, number]
      const [kh, kw, kc, kf] = a.filterShape
      const out = conv3d.kernelFunc({
        inputs: {
          x: { ...x, shape: [n, 1, h, w, c] },
          dy: { ...dy, shape: [n, 1, oh, ow, f] }
        } as unknown as tf.NamedTensorMap,
        backend,
        attrs: { strides: [1, sh, sw], pad: a.pad, filterShape: [1, kh, kw, kc, kf] }
      }) as TensorInfoLike
      return { dataId: out.dataId, shape: [kh, kw, kc, kf], dtype: out.dtype } as tf.TensorInfo
    }
  })
}
