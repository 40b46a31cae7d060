import type { SweepAxis } from '@shared/sweep'

// The Sweep panel's fields as a grid: "20; 25-15; 25-15-10" (layer lists), "0.2, 0.5"
// (numbers), "1-3" or "1, 2, 5" (seeds). A value that is not one says so, naming the field.

export interface GridField {
  parameter: string
  label: string
  placeholder: string
  /** Values are layer lists ("25-15"), separated by ";". */
  layers?: boolean
}

const number = (label: string, text: string): number => {
  const value = Number(text)
  if (text === '' || !Number.isFinite(value)) throw new Error(`${label}: "${text}" is not a number`)
  return value
}

function values(field: GridField, text: string): unknown[] {
  if (field.layers)
    return text
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) =>
        t === '-' || t === 'none'
          ? []
          : t.split(/[-x,\s]+/).map((n) => number(field.label, n.trim()))
      )
  return text
    .split(/[,;\s]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => number(field.label, t))
}

/** Seeds as "1-3" (a range) or "1, 2, 5". */
export function parseSeeds(text: string): number[] | undefined {
  const t = text.trim()
  if (t === '') return undefined
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(t)
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])]
    if (to < from) throw new Error(`Seeds: ${t} is an empty range`)
    if (to - from >= 20) throw new Error('Seeds: at most 20 seeds')
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  }
  return t
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((s) => {
      const n = Number(s)
      if (!Number.isInteger(n) || n < 0) throw new Error(`Seeds: "${s}" is not a whole number`)
      return n
    })
}

export function parseGrid(
  fields: readonly GridField[],
  texts: Record<string, string | undefined>,
  seeds: string
): { grid: SweepAxis[]; seeds: number[] | undefined } {
  const grid: SweepAxis[] = []
  for (const field of fields) {
    const text = texts[field.parameter]?.trim() ?? ''
    if (!text) continue
    grid.push({ parameter: field.parameter, values: values(field, text) })
  }
  return { grid, seeds: parseSeeds(seeds) }
}
