import { describe, expect, it } from 'vitest'
import { storesAgainstRealHost, until } from './store-host'
import { useLabStore } from '../src/renderer/src/stores/lab'
import { useTrainingStore } from '../src/renderer/src/stores/training'
import { useRunsStore } from '../src/renderer/src/stores/runs'
import { useExplorerStore } from '../src/renderer/src/stores/explorer'
import { useVaeStore } from '../src/renderer/src/stores/vae'
import { useVaeRunsStore } from '../src/renderer/src/stores/vae-runs'
import { useSessionStore } from '../src/renderer/src/stores/session'

// Issue 14's stale views, lost work and sticky errors, against a real browser host.
storesAgainstRealHost()

async function trainLetters(subset?: number[]): Promise<string> {
  const training = useTrainingStore()
  training.config = { ...training.config, font: 'Font1', subset, epochs: 300 }
  await training.start()
  await until(() => training.phase === 'finished')
  return training.runId!
}

describe('letters explorer', () => {
  it('redraws the interpolation strip for a run with fewer glyphs', async () => {
    await useLabStore().load()
    const runs = useRunsStore()
    const explorer = useExplorerStore()
    const full = await trainLetters()
    explorer.interpolation = { from: 0, to: 31, steps: 5 }
    await until(() => explorer.strip.length === 5)
    const small = await trainLetters([0, 1, 2])
    expect(runs.selectedId).toBe(small)
    // The strip now interpolates within the three glyphs of the selected run.
    await until(
      () =>
        explorer.strip.length === 5 &&
        explorer.strip[0]!.pattern.every(
          (v, i) => Math.abs(v - runs.selected!.result.glyphs[0]!.reconstruction[i]!) < 1e-4
        )
    )
    expect(explorer.interpolation.to).toBeLessThan(3)
    const last = runs.selected!.result.glyphs[explorer.interpolation.to]!.reconstruction
    explorer.strip.at(-1)!.pattern.forEach((v, i) => expect(v).toBeCloseTo(last[i]!, 4))
    expect(runs.runs.map((r) => r.runId)).toEqual([full, small])
  })

  it('does not encode the empty drawing, and forgets the point when the drawing is cleared', async () => {
    await useLabStore().load()
    const explorer = useExplorerStore()
    await trainLetters()
    await until(() => explorer.grid.length > 0)
    // A request sent after any encode of the empty editor would have been answered.
    await explorer.probeAt(0, 0)
    expect(explorer.drawn).toBeNull()
    explorer.draw(useLabStore().fontByName('Font1')!.glyphs[1]!.pixels)
    await until(() => explorer.drawn !== null)
    explorer.draw(new Array(35).fill(0))
    await until(() => explorer.drawn === null)
  })
})

describe('VAE runs', () => {
  const small = {
    dataset: 'mnist' as const,
    trainSize: 256,
    hidden: [16],
    epochs: 3,
    batchSize: 64
  }

  it('keeps every VAE run: select, compare, remove; an error clears after a later success', async () => {
    const vae = useVaeStore()
    const vaeRuns = useVaeRunsStore()
    vae.config = { ...vae.config, ...small }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null)
    const first = vae.runId!
    vae.config = { ...vae.config, ...small, dataset: 'fashion-mnist', epochs: 2 }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null)
    const second = vae.runId!
    expect(vaeRuns.runs.map((r) => r.runId)).toEqual([first, second])
    expect(vaeRuns.runs[0]!.label).toMatch(/^#1 MNIST/)
    expect(vaeRuns.runs[1]!.label).toMatch(/^#2 Fashion-MNIST/)
    expect(vaeRuns.compared).toEqual([first, second])

    // Back to the first run: its curve, its classes, its latent space.
    await vae.select(first)
    expect(vae.runId).toBe(first)
    expect(vae.curve.map((c) => c.epoch)).toEqual([1, 2, 3])
    expect(vae.classNames[0]).toBe('0')
    await until(() => vae.testSet !== null && vae.grid.length === 225)

    // A failure shows, and the next success clears it.
    await vae.encodePad(new Array(35).fill(0))
    expect(vae.error).not.toBeNull()
    await vae.probeAt(0, 0)
    expect(vae.error).toBeNull()

    vaeRuns.toggleCompared(second)
    expect(vaeRuns.comparedRuns.map((r) => r.runId)).toEqual([first])
    vaeRuns.remove(second)
    expect(vaeRuns.runs.map((r) => r.runId)).toEqual([first])
  })

  it('saves VAE runs, the per-epoch reconstructions and the drawing with the session', async () => {
    await useLabStore().load()
    const vae = useVaeStore()
    const vaeRuns = useVaeRunsStore()
    const explorer = useExplorerStore()
    const session = useSessionStore()
    await trainLetters()
    const drawing = new Array(35).fill(0).map((_, i) => (i % 6 === 0 ? 1 : 0))
    explorer.draw(drawing)
    vae.config = { ...vae.config, ...small }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null)
    vae.config = { ...vae.config, ...small, epochs: 4 }
    await vae.start()
    await until(() => vae.phase === 'finished' && vae.testSet !== null)
    const ids = vaeRuns.runs.map((r) => r.runId)
    expect(vae.curve.filter((c) => c.reconstructions.length === 8)).toHaveLength(4)
    expect(await session.saveTo({ name: 'two vaes' })).toBe(true)

    session.reset()
    expect(vaeRuns.runs).toHaveLength(0)
    expect(await session.open({ name: 'two vaes' })).toBe(true)
    expect(vaeRuns.runs.map((r) => r.runId)).toEqual(ids)
    expect(vae.runId).toBe(ids[1])
    // Four epochs of eight reconstructions each, as before saving.
    const rows = vae.curve.filter((c) => c.reconstructions.length === 8)
    expect(rows.map((c) => c.epoch)).toEqual([1, 2, 3, 4])
    expect(rows[0]!.reconstructions[0]).toHaveLength(784)
    expect([...explorer.drawing.pixels]).toEqual(drawing)
  })
})
