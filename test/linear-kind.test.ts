import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { loadFonts } from '../src/ml/data/datasets'
import { catalog } from '../src/ml/kinds/catalog'
import { pca } from '../src/ml/pca'
import { readSession } from '../src/services/session-file'
import { experimentSchema } from '../src/shared/experiments'
import { GLYPH_PIXELS } from '../src/shared/schemas'
import { datasetsDir, root } from './helpers'

// The linear autoencoder kind (issue 15): the letters network without activations, trained for
// real by `lab train`, and set beside PCA by `lab eval`.

const scratch = mkdtempSync(join(tmpdir(), 'lab-linear-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const lab = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [join(root, 'bin/lab.mjs'), ...args], {
    cwd: scratch,
    timeout: 240_000
  })

const experiment = {
  kind: 'linear',
  font: 'Font2',
  hidden: [16],
  latent: 2,
  learningRate: 0.02,
  epochs: 400,
  maxWrongPixels: null,
  seed: 2
}

describe('PCA of the glyphs', () => {
  it('reconstructs every glyph exactly with all components, and better with each one more', async () => {
    const font = (await loadFonts(datasetsDir)).find((f) => f.name === 'Font2')!
    const patterns = Float64Array.from(font.glyphs.flatMap((g) => g.pixels))
    const error = (k: number): number => {
      const { reconstructions } = pca(patterns, GLYPH_PIXELS, k)
      return reconstructions.reduce((s, v, i) => s + (v - patterns[i]!) ** 2, 0)
    }
    // 32 glyphs span at most 31 directions around their mean: 31 components are exact.
    expect(error(31)).toBeLessThan(1e-9)
    const errors = [1, 2, 3, 5, 10, 20].map(error)
    errors.slice(1).forEach((e, i) => expect(e).toBeLessThan(errors[i]!))
    const { components } = pca(patterns, GLYPH_PIXELS, 4)
    for (const [i, u] of components.entries())
      for (const [j, v] of components.entries())
        expect(u.reduce((s, ui, p) => s + ui * v[p]!, 0)).toBeCloseTo(i === j ? 1 : 0, 6)
  })
})

describe('the linear kind', () => {
  it('has no activation but the output sigmoid, in every layer it saves', () => {
    const parsed = experimentSchema.parse(experiment)
    if (parsed.kind !== 'linear') throw new Error('not parsed as a linear experiment')
    const layers = catalog.linear.networks(parsed).autoencoder!.layers
    expect(layers.map((l) => [l.inputs, l.outputs])).toEqual([
      [35, 16],
      [16, 2],
      [2, 16],
      [16, 35]
    ])
    expect(layers.map((l) => l.activation)).toEqual(['linear', 'linear', 'linear', 'sigmoid'])
    // Activations cannot be asked for: the kind is the network without them.
    expect(experimentSchema.safeParse({ ...experiment, activation: 'tanh' }).success).toBe(false)
  })

  it('trains with lab train, and lab eval sets it beside PCA of the same latent size', async () => {
    const file = join(scratch, 'linear.json')
    writeFileSync(file, JSON.stringify(experiment))
    await lab('train', file, '--backend', 'wasm', '--threads', '1', '--quiet')
    const session = await readSession(join(scratch, 'linear.aelab'))
    const [run] = session.runs
    expect(run!.experiment).toMatchObject({ kind: 'linear', activation: 'linear' })
    expect(run!.epochs).toBe(400)
    expect(run!.glyphs).toHaveLength(32)
    const { stdout } = await lab('eval', join(scratch, 'linear.aelab'))
    expect(stdout).toMatch(/\(linear, Font2, completed, 400 epochs\)/)
    const network = Number(
      /this network, mean squared error per pixel\s+([\d.]+)/.exec(stdout)?.[1]
    )
    const reference = Number(
      /PCA with 2 components\s+mean squared error per pixel ([\d.]+), worst glyph \d+ wrong pixels, \d+\/32 glyphs exact/.exec(
        stdout
      )?.[1]
    )
    // Both measured on the same 32 glyphs, as errors of pixels in [0, 1].
    for (const value of [network, reference]) {
      expect(value).toBeGreaterThan(0)
      expect(value).toBeLessThan(0.25)
    }
  })
})
