import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { unzipSync } from 'fflate'
import { parse as parseNpy, type NpyArray } from 'npyjs'
import type { RawArrays, Split } from './types'

// NumPy files: a `.npy` array of images (N x H x W, or N x H x W x C; uint8 0-255 or float32
// 0-1 or 0-255), unlabelled; or a `.npz` archive (read with fflate) holding images and labels
// under the names Keras and most tutorials use: x_train/y_train and x_test/y_test, or
// images/labels (also x/y, arr_0/arr_1).

const IMAGE_DTYPES = ['u1', 'f4']
/** NumPy's names for the dtype codes npyjs gives, for messages. */
const DTYPE_NAMES: Record<string, string> = {
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
  c8: 'complex64',
  c16: 'complex128'
}
const LABEL_DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8']

/** The byte order the header states ('<' little, '>' big, '|' not applicable). */
function byteOrder(buffer: ArrayBuffer): string | null {
  const head = new TextDecoder().decode(new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 512)))
  return /'descr'\s*:\s*'([<>|=])/.exec(head)?.[1] ?? null
}

function readNpy(where: string, bytes: Uint8Array, role: 'images' | 'labels'): NpyArray {
  // A copy of its own (new Uint8Array copies; Buffer's slice would not), so that typed arrays
  // over the data start on an aligned offset.
  const buffer = new Uint8Array(bytes).buffer
  let array: NpyArray
  try {
    array = parseNpy(buffer)
  } catch (error) {
    throw new Error(`${where} cannot be read as a NumPy .npy array (${(error as Error).message})`, {
      cause: error
    })
  }
  const allowed = role === 'images' ? IMAGE_DTYPES : LABEL_DTYPES
  if (!allowed.includes(array.dtype))
    throw new Error(
      `${where}: dtype ${DTYPE_NAMES[array.dtype] ?? array.dtype} is not supported for ${role} (${role === 'images' ? 'uint8 or float32' : 'integers'})`
    )
  if (byteOrder(buffer) === '>' && !['u1', 'i1'].includes(array.dtype))
    throw new Error(`${where}: big-endian data ('>${array.dtype}') is not supported`)
  if (array.fortranOrder)
    throw new Error(
      `${where}: Fortran-ordered data is not supported (save np.ascontiguousarray(a))`
    )
  const size = array.shape.reduce((a, b) => a * b, 1)
  const length = values(array).length
  if (length !== size)
    throw new Error(`${where}: holds ${length} values; its shape ${shapeText(array)} needs ${size}`)
  return array
}

/** npyjs hands back typed arrays (or plain arrays, for strings and booleans). */
function values(array: NpyArray): ArrayLike<number | bigint> {
  const data: unknown = array.data
  const typed = [Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array]
  if (typed.some((type) => data instanceof type)) return data as ArrayLike<number>
  if (data instanceof Float32Array || data instanceof Float64Array) return data
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return data
  return []
}

const shapeText = (array: NpyArray): string => `(${array.shape.join(', ')})`

/** Images from an array: grey levels 0-255. */
function toImages(where: string, array: NpyArray): Omit<RawArrays, 'labels' | 'split'> {
  const [count = 0, height = 0, width = 0, channels = 1] = array.shape
  if (array.shape.length < 3 || array.shape.length > 4)
    throw new Error(`${where}: shape ${shapeText(array)}; expected (N, H, W) or (N, H, W, C)`)
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new Error(
      `${where}: shape ${shapeText(array)} has ${channels} channels in its last axis; expected 1, 3 or 4`
    )
  let pixels: Uint8Array
  if (array.data instanceof Uint8Array) {
    pixels = array.data
  } else {
    const values = array.data as Float32Array
    let max = 0
    for (const v of values) {
      if (!(v >= 0))
        throw new Error(`${where}: holds ${v}; expected values from 0 to 1 or 0 to 255`)
      if (v > max) max = v
    }
    if (max > 255)
      throw new Error(`${where}: holds ${max}; expected values from 0 to 1 or 0 to 255`)
    const scale = max <= 1 ? 255 : 1
    pixels = new Uint8Array(values.length)
    for (let k = 0; k < values.length; k++) pixels[k] = Math.round(values[k]! * scale)
  }
  return { file: where, count, height, width, channels, pixels }
}

function toLabels(where: string, array: NpyArray, count: number, imagesWhere: string): string[] {
  if (array.shape.length !== 1)
    throw new Error(`${where}: shape ${shapeText(array)}; expected one label per image, (N,)`)
  const labels = Array.from(values(array), String)
  if (labels.length !== count)
    throw new Error(
      `${where} holds ${labels.length} labels but ${imagesWhere} holds ${count} images`
    )
  return labels
}

/** A `.npy` file of images, unlabelled. */
export async function readNpyFile(path: string): Promise<RawArrays> {
  const file = basename(path)
  const images = toImages(file, readNpy(file, await readFile(path), 'images'))
  return { ...images, labels: null, split: null }
}

const IMAGE_NAMES = ['x', 'images', 'image', 'data', 'arr_0']
const LABEL_NAMES = ['y', 'labels', 'label', 'targets', 'arr_1']

/** Image/label array pairs in an archive, by name; each with the split its name states. */
function pairs(names: string[]): { images: string; labels: string | null; split: Split | null }[] {
  const found: { images: string; labels: string | null; split: Split | null }[] = []
  for (const name of names) {
    const match = /^(.*?)(?:_(train|test))?$/.exec(name)!
    const [, stem = '', split] = match
    const index = IMAGE_NAMES.indexOf(stem)
    if (index < 0) continue
    const labelStem = LABEL_NAMES[index]!
    const labels = names.find((n) => n === (split ? `${labelStem}_${split}` : labelStem)) ?? null
    found.push({ images: name, labels, split: (split as Split | undefined) ?? null })
  }
  return found
}

/** A `.npz` archive of images and labels. */
export async function readNpzFile(path: string): Promise<RawArrays[]> {
  const file = basename(path)
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(await readFile(path))
  } catch (error) {
    throw new Error(`${file} is not a NumPy .npz archive (${(error as Error).message})`, {
      cause: error
    })
  }
  const names = Object.keys(entries)
    .filter((n) => n.endsWith('.npy'))
    .map((n) => n.slice(0, -4))
  const found = pairs(names)
  if (found.length === 0)
    throw new Error(
      `${file}: no images found among its arrays (${names.join(', ') || 'none'}); name them x_train/x_test (labels y_train/y_test) or images (labels labels)`
    )
  return found.map(({ images, labels, split }) => {
    const where = `${file}:${images}`
    const decoded = toImages(where, readNpy(where, entries[`${images}.npy`]!, 'images'))
    const labelWhere = `${file}:${labels ?? ''}`
    return {
      ...decoded,
      labels: labels
        ? toLabels(
            labelWhere,
            readNpy(labelWhere, entries[`${labels}.npy`]!, 'labels'),
            decoded.count,
            where
          )
        : null,
      split
    }
  })
}
