import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { glyphJson, readCharacterSetFile } from '../services/font-import'
import { gridLabel } from '../shared/schemas'
import { option } from './args'

// `lab import-font <file> [--rows R] [--cols C] [--count N] [--first CODE] [--name NAME] [--out FILE]`:
// a C header (7x5 rows of 5 bits, or wider rows, e.g. `uint8_t font[N][8]`) or a PNG sprite sheet
// read into the lab's glyph JSON, which the app imports (Import character set) and `lab train`
// takes as an experiment's `fontFile`.

function whole(
  args: readonly string[],
  name: string,
  min: number,
  max: number
): number | undefined {
  const value = option(args, name)
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(value) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${value}"`)
  return n
}

export async function importFont(args: readonly string[]): Promise<void> {
  const file = args[0]!
  const sets = await readCharacterSetFile(file, {
    rows: whole(args, '--rows', 1, 16),
    cols: whole(args, '--cols', 1, 16),
    count: whole(args, '--count', 1, 256),
    first: whole(args, '--first', 0, 0x10ffff),
    name: option(args, '--name')
  })
  const out = resolve(
    option(args, '--out') ?? `${basename(file).replace(/\.[^.]*$/, '')}.glyphs.json`
  )
  await writeFile(out, glyphJson(sets))
  for (const s of sets)
    process.stdout.write(`${s.name}: ${s.glyphs.length} glyphs of ${gridLabel(s.grid)}\n`)
  process.stdout.write(`wrote ${out}\n`)
}
