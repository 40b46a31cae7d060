// Dense-network kernels, in f32 with 128-bit SIMD: products with the activation (or its
// derivative) fused, kernel gradients, the cross-entropy's gradient and first-order optimizer
// steps. Row-major matrices; pointers are byte offsets into the (imported, shared) memory. Work
// can be split between threads by rows (pointer offsets) or by the ranges some kernels take;
// every output element is computed the same way whatever the split.
// The module's entry: its exports, one file per part (the order here is the exports' order).

export { activate } from './lanes'
export { dense, backInput, transpose } from './products'
export { kernelGrad } from './gradients'
export { outputDelta, sigmoidCrossEntropy } from './losses'
export { adam, sgd, rmsprop } from './optimizers'
