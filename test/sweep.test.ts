import { describe, expect, it } from 'vitest'
import {
  MAX_SWEEP_RUNS,
  countRuns,
  expandSweep,
  parseSweepSpec,
  taggedRuns,
  type SweepSpecInput
} from '../src/shared/sweep'
import {
  meanSpread,
  smallMultiples,
  sortRows,
  sweepTables,
  type SweepRunResult
} from '../src/shared/sweep-results'
import { experimentSchema } from '../src/shared/experiments'
import type { SweepTag } from '../src/shared/sweep-tag'

// Sweeps (issue 17 item 2): expanding a grid into validated experiments, and aggregating the
// runs' metrics over seeds.

const denoising = {
  kind: 'denoising',
  font: 'Font1',
  hidden: [25],
  latent: 2,
  activation: 'tanh',
  learningRate: 0.01,
  epochs: 100,
  maxWrongPixels: null,
  seed: 7,
  noise: { kind: 'bitflip', level: 0.2, copies: 5 }
}

const issueGrid: SweepSpecInput = {
  name: 'denoising grid',
  base: denoising,
  grid: [
    { parameter: 'hidden', values: [[20], [25, 15], [25, 15, 10]] },
    { parameter: 'latent', values: [2, 4] },
    { parameter: 'noise.level', values: [0.2, 0.5] },
    { parameter: 'noise.copies', values: [5, 20] }
  ],
  seeds: [1, 2, 3]
}

describe('expanding a sweep', () => {
  it('makes one experiment per combination and seed, seed by seed, the last axis fastest', () => {
    const spec = parseSweepSpec(issueGrid)
    expect(countRuns(spec)).toBe(72)
    const runs = expandSweep(spec)
    expect(runs).toHaveLength(72)
    // Seed by seed: the first 24 runs are seed 1, covering every combination once.
    expect(runs.slice(0, 24).every((r) => r.seed === 1)).toBe(true)
    expect(runs[24]!.seed).toBe(2)
    expect(new Set(runs.slice(0, 24).map((r) => JSON.stringify(r.parameters))).size).toBe(24)
    expect(runs.slice(0, 3).map((r) => r.parameters)).toEqual([
      { hidden: [20], latent: 2, 'noise.level': 0.2, 'noise.copies': 5 },
      { hidden: [20], latent: 2, 'noise.level': 0.2, 'noise.copies': 20 },
      { hidden: [20], latent: 2, 'noise.level': 0.5, 'noise.copies': 5 }
    ])
    const last = runs.at(-1)!.experiment
    expect(last).toMatchObject({ kind: 'denoising', hidden: [25, 15, 10], latent: 4, seed: 3 })
    if (last.kind !== 'denoising') throw new Error('kind')
    expect(last.noise).toMatchObject({ level: 0.5, copies: 20, kind: 'bitflip' })
    // The base is not changed by expanding it.
    expect(spec.base['hidden']).toEqual([25])
  })

  it('keeps the base seed without "seeds", and sets several fields per named variant', () => {
    const runs = expandSweep(
      parseSweepSpec({
        name: 'recipes',
        base: { ...denoising, kind: 'autoencoder', noise: null },
        grid: [
          {
            parameter: 'recipe',
            variants: [
              { label: 'Powell 150', set: { optimizer: { kind: 'powell' }, epochs: 150 } },
              { label: 'Adam', set: { optimizer: { kind: 'adam' }, epochs: 50 } }
            ]
          }
        ]
      })
    )
    expect(runs.map((r) => [r.parameters, r.seed])).toEqual([
      [{ recipe: 'Powell 150' }, 7],
      [{ recipe: 'Adam' }, 7]
    ])
    expect(runs[0]!.experiment).toMatchObject({ optimizer: { kind: 'powell' }, epochs: 150 })
    // A path into an object the base lacks is named.
    expect(() =>
      expandSweep(
        parseSweepSpec({
          name: 'x',
          base: { ...denoising, kind: 'autoencoder', noise: null },
          grid: [{ parameter: 'noise.level', values: [0.1] }]
        })
      )
    ).toThrow('parameter "noise.level": the base experiment has no "noise" object')
  })

  it('names the parameter and value of a combination its kind refuses', () => {
    const spec = parseSweepSpec({
      ...issueGrid,
      grid: [
        { parameter: 'latent', values: [2, 40] },
        { parameter: 'noise.level', values: [0.2] }
      ]
    })
    expect(() => expandSweep(spec)).toThrow(
      /the sweep "denoising grid" cannot run latent = 40: latent: Too big/
    )
    const badLevel = parseSweepSpec({
      ...issueGrid,
      grid: [{ parameter: 'noise.level', values: [0.2, 3] }]
    })
    expect(() => expandSweep(badLevel)).toThrow(/cannot run noise.level = 3: noise.level/)
    // An unknown field is refused by the kind's strict schema, naming it.
    expect(() =>
      expandSweep(parseSweepSpec({ ...issueGrid, grid: [{ parameter: 'layers', values: [1] }] }))
    ).toThrow(/cannot run layers = 1: .*layers/)
    // A sweep without a kind, or a bad grid, is refused by the spec's own schema.
    expect(() => parseSweepSpec({ name: 'x', base: { hidden: [2] } })).toThrow(/needs a "kind"/)
    expect(() =>
      parseSweepSpec({ name: 'x', base: denoising, grid: [{ parameter: 'a b', values: [1] }] })
    ).toThrow(/grid.0/)
  })

  it('refuses more runs than a sweep may hold, saying how many and why', () => {
    const spec = parseSweepSpec({
      ...issueGrid,
      seeds: Array.from({ length: 10 }, (_, i) => i + 1)
    })
    expect(countRuns(spec)).toBe(240)
    expect(() => expandSweep(spec)).toThrow(
      `the sweep "denoising grid" has 3 hidden x 2 latent x 2 noise.level x 2 noise.copies x 10 seeds = 240 runs; at most ${MAX_SWEEP_RUNS} can run in one sweep`
    )
  })

  it('tags each run with its sweep; the tagged experiments are valid experiments', () => {
    const runs = taggedRuns(parseSweepSpec(issueGrid), 'sweep-test-1')
    expect(runs[5]!.sweep).toEqual({
      id: 'sweep-test-1',
      name: 'denoising grid',
      parameters: { hidden: [20], latent: 4, 'noise.level': 0.2, 'noise.copies': 20 },
      seed: 1,
      index: 5,
      runs: 72
    })
    for (const run of runs) expect(experimentSchema.parse(run)).toEqual(run)
  })
})

describe('aggregating a sweep', () => {
  const tag = (parameters: SweepTag['parameters'], seed: number, index: number): SweepTag => ({
    id: 'sweep-a',
    name: 'layers',
    parameters,
    seed,
    index,
    runs: 7
  })
  const run = (
    parameters: SweepTag['parameters'],
    seed: number,
    index: number,
    wrong: number[],
    seconds: number,
    status: 'completed' | 'solved' | 'stopped' = 'completed'
  ): SweepRunResult => ({
    runId: `run-${index}`,
    sweep: tag(parameters, seed, index),
    outcome: {
      status,
      epochs: 100,
      seconds,
      finalLoss: 0.1 * (index + 1),
      glyphs: wrong.map((w) => ({ wrongPixels: w })),
      denoising: null
    }
  })
  const runs = [
    run({ hidden: [20], latent: 2 }, 1, 0, [1, 2], 2),
    run({ hidden: [25, 15], latent: 2 }, 1, 1, [0, 0], 3),
    run({ hidden: [20], latent: 2 }, 2, 2, [3, 4], 4),
    run({ hidden: [25, 15], latent: 2 }, 2, 3, [1, 0], 5),
    run({ hidden: [20], latent: 2 }, 3, 4, [5, 6], 6),
    run({ hidden: [25, 15], latent: 2 }, 3, 5, [0, 0], 7, 'solved'),
    run({ hidden: [25, 15], latent: 2 }, 4, 6, [9, 9], 1, 'stopped')
  ]

  it('gives mean and sample spread over seeds, and leaves stopped runs out', () => {
    expect(meanSpread([3, 7, 11])).toEqual({ mean: 7, spread: 4, n: 3 })
    expect(meanSpread([5])).toEqual({ mean: 5, spread: 0, n: 1 })
    const [table] = sweepTables([...runs].reverse())
    expect(table!.parameters).toEqual(['hidden', 'latent'])
    expect(table!.unfinished).toBe(1)
    expect(table!.planned).toBe(7)
    expect(table!.rows.map((r) => r.parameters.hidden)).toEqual([[20], [25, 15]])
    const [twenty, deeper] = table!.rows
    // Wrong pixels per run: 3, 7, 11 -> mean 7, spread 4.
    expect(twenty!.metrics.wrongPixels).toEqual({ mean: 7, spread: 4, n: 3 })
    expect(twenty!.metrics.worstGlyph).toEqual({ mean: 4, spread: 2, n: 3 })
    expect(twenty!.metrics.seconds).toEqual({ mean: 4, spread: 2, n: 3 })
    expect(twenty!.seeds).toEqual([1, 2, 3])
    expect(deeper!.metrics.wrongPixels!.mean).toBeCloseTo(1 / 3)
    expect(deeper!.runIds).toEqual(['run-1', 'run-3', 'run-5'])
    expect(table!.metrics).toEqual(['wrongPixels', 'worstGlyph', 'loss', 'epochs', 'seconds'])
  })

  it('sorts rows by any column and draws one panel per combination of the other parameters', () => {
    const [table] = sweepTables(runs)
    const byWrong = sortRows(table!.rows, { metric: 'wrongPixels' })
    expect(byWrong.map((r) => r.parameters.hidden)).toEqual([[25, 15], [20]])
    const byLayersDown = sortRows(table!.rows, { parameter: 'hidden' }, true)
    expect(byLayersDown.map((r) => r.parameters.hidden)).toEqual([[25, 15], [20]])
    const panels = smallMultiples(table!, 'wrongPixels', 'hidden')
    expect(panels).toHaveLength(1)
    expect(panels[0]!.title).toBe('latent = 2')
    expect(panels[0]!.points.map((p) => [p.x, p.stat?.mean])).toEqual([
      ['[20]', 7],
      ['[25, 15]', 1 / 3]
    ])
  })
})
