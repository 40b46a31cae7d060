// Reader and writer for the IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/):
// a big-endian header `0x00 0x00 <type> <ndims>`, one uint32 per dimension, then the data.

const UBYTE = 0x08

export interface IdxArray {
  dims: number[]
  data: Uint8Array
}

/** Parses an unsigned-byte IDX buffer without copying its data. */
export function readIdx(buffer: Uint8Array): IdxArray {
  if (buffer.byteLength < 4) throw new Error('IDX file is too short for its header')
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  if (view.getUint16(0) !== 0) throw new Error('not an IDX file (bad magic number)')
  const type = view.getUint8(2)
  if (type !== UBYTE)
    throw new Error(`IDX data type 0x${type.toString(16)} is not supported (only unsigned bytes)`)
  const ndims = view.getUint8(3)
  if (ndims < 1 || ndims > 4) throw new Error(`IDX file has ${ndims} dimensions; expected 1 to 4`)
  const headerBytes = 4 + 4 * ndims
  if (buffer.byteLength < headerBytes) throw new Error('IDX file is truncated inside its header')
  const dims: number[] = []
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i))
  const size = dims.reduce((a, b) => a * b, 1)
  if (buffer.byteLength - headerBytes !== size) {
    throw new Error(
      `IDX file holds ${buffer.byteLength - headerBytes} data bytes; its header promises ${size}`
    )
  }
  return { dims, data: buffer.subarray(headerBytes) }
}

/** Serialises unsigned bytes with the given dimensions as IDX. */
export function writeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1)
  if (size !== data.length)
    throw new Error(`dims ${dims.join('x')} need ${size} bytes, got ${data.length}`)
  const out = new Uint8Array(4 + 4 * dims.length + data.length)
  const view = new DataView(out.buffer)
  view.setUint8(2, UBYTE)
  view.setUint8(3, dims.length)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d))
  out.set(data, 4 + 4 * dims.length)
  return out
}

/** The IDX files of one split, as MNIST names them (the lab's prepared sets use the same). */
export const idxFileNames = (split: 'train' | 'test'): { images: string; labels: string } => ({
  images: `${split === 'train' ? 'train' : 't10k'}-images-idx3-ubyte`,
  labels: `${split === 'train' ? 'train' : 't10k'}-labels-idx1-ubyte`
})
