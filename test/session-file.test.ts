import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { parseSession, readSession, SessionFileError } from '../src/services/session-file'
import { modelOf } from '../src/services/experiments'
import { firstLayer, firstNetwork, parse, variant, withExtraBytes } from './damaged-sessions'
import { root, scratchWorkspace } from './helpers'

// Session files as an attacker or an unlucky user hands them over (issue 13, items 13-15), and
// the files today's lab has already written (they must keep opening).

const fixture = join(root, 'test/fixtures/saved-by-main.aelab')
const good = readFileSync(fixture, 'utf8')
const doc = parse(good)

const refusal = (text: string): string => {
  try {
    parseSession(text, 'f.aelab')
  } catch (error) {
    expect(error).toBeInstanceOf(SessionFileError)
    const message = (error as Error).message
    expect(message.startsWith('f.aelab: ')).toBe(true)
    return message
  }
  throw new Error('a damaged file was accepted')
}

describe('files written by earlier versions of the lab', () => {
  beforeAll(() => chooseBackend({ preferred: 'cpu' }))

  it('opens a session saved before the file checks were tightened, weights and all', async () => {
    const session = await readSession(fixture)
    expect(session.runs.map((r) => r.experiment.kind)).toEqual(['denoising', 'vae'])
    expect(session.customGlyphs).toHaveLength(1)
    for (const run of session.runs) {
      const model = await modelOf(run)
      expect(model.kind).toBe(run.experiment.kind === 'vae' ? 'vae' : 'autoencoder')
      model.dispose()
    }
  })
})

describe('checks on the content of a session file', () => {
  it('requires the checksum of the current format (item 13)', () => {
    const { integrity: _integrity, ...unsigned } = doc
    expect(refusal(JSON.stringify(unsigned))).toMatch(/no checksum/)
  })

  it('refuses run ids the lab cannot use, naming the field (item 11)', () => {
    expect(refusal(variant(doc, (d) => (d.runs[0]!['id'] = 'x')))).toMatch(/runs\.0\.id/)
    expect(refusal(variant(doc, (d) => (d.runs[0]!['id'] = `run-${'a'.repeat(60)}`)))).toMatch(
      /runs\.0\.id/
    )
  })

  it('checks the declared layers against the run architecture before building anything (item 14)', () => {
    const huge = refusal(variant(doc, (d) => (firstLayer(d)['units'] = 5_000_000)))
    expect(huge).toMatch(/runs\.0: .*layer 1 .*5000000 units.*expected 16/)
    expect(refusal(variant(doc, (d) => (firstLayer(d)['units'] = 1e9)))).toMatch(
      /layer 1 .*1000000000 units/
    )
    expect(refusal(variant(doc, (d) => (firstLayer(d, 1)['activation'] = 'softmax')))).toMatch(
      /runs\.1: .*encoder.*layer 1 .*softmax.*expected relu/
    )
    expect(
      refusal(
        variant(doc, (d) => {
          const specs = firstNetwork(d)['weightSpecs'] as { shape: number[] }[]
          specs[0]!.shape = [35, 999_999]
        })
      )
    ).toMatch(/weight 1 .*35x999999.*expected 35x16/)
  })

  it('refuses weight data longer or shorter than its manifest (item 15)', () => {
    const weights = (d: typeof doc): Record<string, unknown> => firstNetwork(d)
    expect(
      refusal(
        variant(
          doc,
          (d) => (weights(d)['weightData'] = withExtraBytes(String(weights(d)['weightData'])))
        )
      )
    ).toMatch(/weight data .*\d+ bytes.*expected \d+/)
    expect(
      refusal(
        variant(doc, (d) => (weights(d)['weightData'] = String(weights(d)['weightData']).slice(8)))
      )
    ).toMatch(/weight data/)
    expect(refusal(variant(doc, (d) => (weights(d)['weightData'] = '!!!!')))).toMatch(
      /weight data .*base64/
    )
  })

  it('accepts a UTF-8 byte order mark (item 15)', async () => {
    expect(parseSession(`\uFEFF${good}`, 'bom.aelab').runs).toHaveLength(2)
    const dir = scratchWorkspace()
    writeFileSync(
      join(dir, 'bom.aelab'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])
    )
    expect((await readSession(join(dir, 'bom.aelab'))).runs).toHaveLength(2)
  })

  it('refuses 50,000 levels of nesting with a clear message (item 15)', () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`
    expect(refusal(deep)).toMatch(/nested too deeply/)
    expect(refusal(`${good.slice(0, -1)},"extra":${deep}}`)).toMatch(/nested too deeply/)
  })

  it('never echoes what a file that is not a session holds (item 6)', () => {
    const message = refusal('root:x:0:0:root:/root:/bin/bash\n')
    expect(message).not.toMatch(/root:x/)
    expect(message).toMatch(/not valid JSON/)
  })
})

describe('odd files (item 15)', () => {
  const dir = scratchWorkspace()

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'pipe.aelab')
    execFileSync('mkfifo', [fifo])
    await expect(readSession(fifo, 'pipe.aelab')).rejects.toThrow(
      /^pipe\.aelab: not a regular file \(a named pipe\)/
    )
  })

  it('refuses a folder with a clear message', async () => {
    mkdirSync(join(dir, 'folder.aelab'))
    await expect(readSession(join(dir, 'folder.aelab'), 'folder.aelab')).rejects.toThrow(
      /^folder\.aelab: a folder, not a session file/
    )
  })

  it('refuses a missing file, naming it as the caller does', async () => {
    await expect(readSession(join(dir, 'gone.aelab'), 'gone.aelab')).rejects.toThrow(
      /^gone\.aelab: no such file$/
    )
  })
})
