// The pixel editor's drawing as an immutable value with undo and redo. Pure, so it is tested
// without a browser.

import { DEFAULT_GRID, gridPixels, type GlyphGrid } from '@shared/schemas'

export interface Drawing {
  pixels: readonly number[]
  past: readonly (readonly number[])[]
  future: readonly (readonly number[])[]
}

const LIMIT = 200

/** An empty drawing on a grid (the course's 7x5 by default). */
export const emptyDrawing = (grid: GlyphGrid = DEFAULT_GRID): Drawing => ({
  pixels: new Array(gridPixels(grid)).fill(0),
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
export function shift(
  pixels: readonly number[],
  dr: number,
  dc: number,
  grid: GlyphGrid = DEFAULT_GRID
): number[] {
  const { rows, cols } = grid
  const out = new Array(rows * cols).fill(0)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [sr, sc] = [r - dr, c - dc]
      if (sr >= 0 && sr < rows && sc >= 0 && sc < cols)
        out[r * cols + c] = pixels[sr * cols + sc] ?? 0
    }
  }
  return out
}
