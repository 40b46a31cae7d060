// How the lab paints an image model's images (values in [0, 1], row-major, channels interleaved):
// a grey image dark on light, as the course draws digits; an RGB image in its own colours. The
// page's canvases and exports and the report's figures all paint through here, so a colour set
// looks the same everywhere.

export interface ImageShape {
  side: number
  channels: 1 | 3
}

/**
 * The shape of an image of `length` values: square grey if `length` is a square, else square
 * RGB if a third of it is (no length is both: 3 is not a square). Anything else is drawn as the
 * smallest grey square that holds it.
 */
export function imageShapeOf(length: number): ImageShape {
  const grey = Math.sqrt(length)
  if (Number.isInteger(grey)) return { side: grey, channels: 1 }
  const rgb = Math.sqrt(length / 3)
  if (Number.isInteger(rgb)) return { side: rgb, channels: 3 }
  return { side: Math.max(1, Math.ceil(grey)), channels: 1 }
}

const level = (v: number | undefined): number => Math.round(255 * Math.min(1, Math.max(0, v ?? 0)))

/** One pixel's colour (0-255 each): a grey value inverted (ink on paper), RGB as it is. */
export function pixelColour(
  image: readonly number[],
  pixel: number,
  channels: 1 | 3
): [number, number, number] {
  if (channels === 3)
    return [level(image[pixel * 3]), level(image[pixel * 3 + 1]), level(image[pixel * 3 + 2])]
  const shade = Math.round(255 * (1 - Math.min(1, Math.max(0, image[pixel] ?? 0))))
  return [shade, shade, shade]
}

/** An image as RGBA bytes for a canvas (`ImageData`), side x side. */
export function rgbaOf(
  image: readonly number[],
  shape: ImageShape = imageShapeOf(image.length)
): Uint8ClampedArray<ArrayBuffer> {
  const pixels = shape.side * shape.side
  const out = new Uint8ClampedArray(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    out.set(pixelColour(image, p, shape.channels), p * 4)
    out[p * 4 + 3] = 255
  }
  return out
}
