import { createHash } from 'node:crypto'

// Helpers for tests that build damaged or hostile session files: a document re-signed with a
// correct checksum (so only the lab's other checks stand between it and the user), and a
// generated corpus of damaged variants of a good file.

export type Doc = Record<string, unknown> & { runs: Record<string, unknown>[] }

/** The text a session writer would produce for `doc`, with its checksum recomputed. */
export function resign(doc: Record<string, unknown>): string {
  const { integrity: _integrity, ...rest } = doc
  const body = JSON.stringify(rest)
  const digest = createHash('sha256').update(body).digest('hex')
  return `${body.slice(0, -1)},"integrity":"${digest}"}`
}

/** Base64 weight data with four zero bytes appended. */
export const withExtraBytes = (base64: string): string =>
  Buffer.concat([Buffer.from(base64, 'base64'), Buffer.alloc(4)]).toString('base64')

export const parse = (text: string): Doc => JSON.parse(text) as Doc

/** A deep copy of `doc` changed by `edit`, re-signed. */
export function variant(doc: Doc, edit: (d: Doc) => void): string {
  const copy = parse(JSON.stringify(doc))
  edit(copy)
  return resign(copy)
}

/** The first Dense layer config and the weight manifest of a run's first network. */
export function firstNetwork(d: Doc, run = 0): Record<string, unknown> {
  const networks = d.runs[run]!['networks'] as Record<string, Record<string, unknown>>
  return Object.values(networks)[0]!
}

export function firstLayer(d: Doc, run = 0): Record<string, unknown> {
  const topology = firstNetwork(d, run)['modelTopology'] as {
    config: { layers: { config: Record<string, unknown> }[] }
  }
  return topology.config.layers[0]!.config
}

/** Damaged variants of a good session text, each with a name (for failure messages). */
export function damagedCorpus(good: string): [string, string][] {
  const doc = parse(good)
  const out: [string, string][] = []
  const step = (n: number, k: number): number => Math.floor(((k + 0.5) / n) * good.length)
  for (let k = 0; k < 12; k++) out.push([`truncated at ${step(12, k)}`, good.slice(0, step(12, k))])
  for (let k = 0; k < 12; k++) {
    const at = step(12, k)
    out.push([
      `byte ${at} flipped`,
      good.slice(0, at) + String.fromCharCode(good.charCodeAt(at) ^ 0x08) + good.slice(at + 1)
    ])
  }
  const { integrity: _integrity, ...unsigned } = doc
  out.push(['no checksum', JSON.stringify(unsigned)])
  // Wrong content, with a checksum recomputed to match.
  const weights = (d: Doc): Record<string, unknown> => firstNetwork(d)
  out.push(
    ['run id "x"', variant(doc, (d) => (d.runs[0]!['id'] = 'x'))],
    ['run id of 64 characters', variant(doc, (d) => (d.runs[0]!['id'] = `run-${'a'.repeat(60)}`))],
    ['epochs is text', variant(doc, (d) => (d.runs[0]!['epochs'] = 'ten'))],
    ['no networks', variant(doc, (d) => delete d.runs[0]!['networks'])],
    ['5,000,000 units', variant(doc, (d) => (firstLayer(d)['units'] = 5_000_000))],
    ['1e9 units', variant(doc, (d) => (firstLayer(d)['units'] = 1e9))],
    ['another activation', variant(doc, (d) => (firstLayer(d)['activation'] = 'softmax'))],
    [
      'a weight shape that disagrees',
      variant(doc, (d) => {
        const specs = weights(d)['weightSpecs'] as { shape: number[] }[]
        specs[0]!.shape = [specs[0]!.shape[0]!, 999_999]
      })
    ],
    [
      'extra bytes after the weight data',
      variant(
        doc,
        (d) => (weights(d)['weightData'] = withExtraBytes(String(weights(d)['weightData'])))
      )
    ],
    [
      'weight data cut short',
      variant(doc, (d) => (weights(d)['weightData'] = String(weights(d)['weightData']).slice(8)))
    ],
    ['weight data not base64', variant(doc, (d) => (weights(d)['weightData'] = '!!!!'))],
    [
      'a layer too many',
      variant(doc, (d) => {
        const topology = weights(d)['modelTopology'] as { config: { layers: unknown[] } }
        topology.config.layers.push(topology.config.layers[0])
      })
    ],
    ['topology not a model', variant(doc, (d) => (weights(d)['modelTopology'] = { a: 1 }))],
    ['501 runs', variant(doc, (d) => (d.runs = new Array(501).fill(d.runs[0])))],
    ['format', variant(doc, (d) => (d['format'] = 'something-else'))],
    ['newer version', variant(doc, (d) => (d['version'] = 2))],
    ['not an object', '[1, 2, 3]'],
    ['empty', ''],
    ['50,000 levels of nesting', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    [
      'deep nesting inside a valid document',
      `${good.slice(0, -1)},"extra":${'['.repeat(50_000)}${']'.repeat(50_000)}}`
    ],
    ['a number', '42'],
    ['binary', '\u0000\u0001\u0002\u00ff']
  )
  return out
}
