import { describe, expect, it } from 'vitest'
import { STUDIES } from '../src/shared/studies'
import { MAX_SWEEP_RUNS, expandSweep, parseSweepSpec } from '../src/shared/sweep'
import { SWEEP_METRIC_NAMES } from '../src/shared/sweep-results'
import { CLASS_NAMES } from '../src/shared/schemas'

// The Studies gallery's presets (issue 17 item 3) are data: each sweep, and its quick variant,
// must be a valid sweep whose every run its kind accepts, and each preset must say what it
// reproduces and how long it took here.

describe('the Studies gallery', () => {
  it.each(STUDIES.map((s) => [s.id, s] as const))('%s is a valid, runnable sweep', (_, study) => {
    expect(study.reproduces.length).toBeGreaterThan(40)
    expect(study.time).toMatch(/\d/)
    for (const variant of [study.sweep, ...(study.quick ? [study.quick.sweep] : [])]) {
      const spec = parseSweepSpec(variant)
      const runs = expandSweep(spec)
      expect(runs.length).toBeGreaterThan(0)
      expect(runs.length).toBeLessThanOrEqual(MAX_SWEEP_RUNS)
      // Every run trains in the study's lab.
      const kinds = new Set(runs.map((r) => r.experiment.kind))
      expect([...kinds]).toEqual(
        study.lab === 'vae' ? ['vae'] : [study.lab === 'letters' ? 'autoencoder' : 'denoising']
      )
      if (study.figure) {
        expect(SWEEP_METRIC_NAMES).toContain(study.figure.metric)
        expect(Object.keys(runs[0]!.parameters)).toContain(study.figure.parameter)
      }
    }
    if (study.quick) expect(study.quick.time).toMatch(/\d/)
    // A path goes through classes the data set has.
    if (study.path) {
      const dataset = expandSweep(parseSweepSpec(study.sweep))[0]!.experiment
      if (
        dataset.kind !== 'vae' ||
        (dataset.dataset !== 'mnist' && dataset.dataset !== 'fashion-mnist')
      )
        throw new Error('a path needs a built-in image set')
      for (const name of study.path) expect(CLASS_NAMES[dataset.dataset]).toContain(name)
    }
  })

  it('has unique ids, and covers the three parts of the practical', () => {
    expect(new Set(STUDIES.map((s) => s.id)).size).toBe(STUDIES.length)
    expect(new Set(STUDIES.map((s) => s.lab))).toEqual(new Set(['letters', 'denoising', 'vae']))
  })
})
