// The pixel editor's drawing as an immutable value with undo and redo. Pure, so it is tested
// without a browser.

export const ROWS = 7
export const COLS = 5

export interface Drawing {
  pixels: readonly number[]
  past: readonly (readonly number[])[]
  future: readonly (readonly number[])[]
}

const LIMIT = 200

export const emptyDrawing = (): Drawing => ({
  pixels: new Array(ROWS * COLS).fill(0),
  past: [],
  future: []
})

/** Records a new state (a no-op when nothing changed). */
export function commit(d: Drawing, pixels: readonly number[]): Drawing {
  if (pixels.every((p, i) => p === d.pixels[i])) return d
  return { pixels: [...pixels], past: [...d.past, d.pixels].slice(-LIMIT), future: [] }
}

export function undo(d: Drawing): Drawing {
  const previous = d.past.at(-1)
  if (!previous) return d
  return { pixels: previous, past: d.past.slice(0, -1), future: [d.pixels, ...d.future] }
}

export function redo(d: Drawing): Drawing {
  const next = d.future[0]
  if (!next) return d
  return { pixels: next, past: [...d.past, d.pixels], future: d.future.slice(1) }
}

export const setPixel = (pixels: readonly number[], index: number, value: number): number[] =>
  pixels.map((p, i) => (i === index ? value : p))

export const invert = (pixels: readonly number[]): number[] => pixels.map((p) => (p >= 0.5 ? 0 : 1))

/** Shifts the drawing by one pixel; what leaves the grid is dropped, what enters is blank. */
export function shift(pixels: readonly number[], dr: number, dc: number): number[] {
  const out = new Array(ROWS * COLS).fill(0)
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const [sr, sc] = [r - dr, c - dc]
      if (sr >= 0 && sr < ROWS && sc >= 0 && sc < COLS)
        out[r * COLS + c] = pixels[sr * COLS + sc] ?? 0
    }
  }
  return out
}
