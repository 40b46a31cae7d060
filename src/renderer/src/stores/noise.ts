import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Glyph, NoiseConfig } from '@shared/schemas'
import { corrupt, noiseRandom, noisyCopies } from '@shared/noise'
import { mulberry32 } from '@shared/random'
import {
  denoisingStats,
  firstNoisyCopies,
  sweepInputs,
  sweepLevels,
  type DenoisingStats
} from '@shared/denoising'
import { labClient } from '../api/client'
import type { LabRun } from './runs'

export interface Triplet {
  char: string
  clean: number[]
  noisy: number[]
  denoised: number[]
}

export interface SweepPoint extends DenoisingStats {
  level: number
}

/**
 * The denoising lab: the noise settings for the next run, previews, the original / noisy /
 * denoised triplets of a trained run (on its training noise and on fresh noise), and noise sweeps.
 * Noise is drawn with the same seeded functions the engine trains with.
 */
export const useNoiseStore = defineStore('noise', () => {
  const settings = ref<NoiseConfig>({
    kind: 'bitflip',
    level: 0.1,
    copies: 10,
    fresh: true,
    seed: 1
  })
  const triplets = shallowRef<{
    runId: string
    stream: 'train' | 'fresh'
    items: Triplet[]
    stats: DenoisingStats
  } | null>(null)
  /** Sweep curves by run id. */
  const sweeps = shallowRef<Record<string, SweepPoint[]>>({})
  /** The compared runs' outputs on one shared noisy input per glyph (see compareRuns). */
  const comparison = shallowRef<{
    noise: NoiseConfig
    chars: string[]
    noisy: number[][]
    outputs: Record<string, number[][]>
  } | null>(null)
  let comparisonToken = 0
  const sweeping = ref(false)
  const error = ref<string | null>(null)

  /** `count` noisy versions of one glyph with the current settings (deterministic for the seed). */
  function preview(glyph: Glyph, count = 6): number[][] {
    const random = mulberry32(settings.value.seed * 7919 + glyph.code)
    return Array.from({ length: count }, () =>
      Array.from(corrupt(glyph.pixels, settings.value.kind, settings.value.level, random))
    )
  }

  /** A drawing corrupted with the current settings. */
  function noisyDrawing(pixels: readonly number[]): number[] {
    return Array.from(
      corrupt(pixels, settings.value.kind, settings.value.level, mulberry32(Date.now() >>> 0))
    )
  }

  async function denoise(runId: string, patterns: number[][]): Promise<number[][]> {
    const out: number[][] = []
    for (let i = 0; i < patterns.length; i += 1024) {
      const result = await labClient().request('encodePatterns', {
        runId,
        patterns: patterns.slice(i, i + 1024)
      })
      out.push(...result.reconstructions)
    }
    return out
  }

  /** One noisy copy per glyph: the first draw of the run's training noise, or fresh noise. */
  async function computeTriplets(
    run: LabRun,
    glyphs: readonly Glyph[],
    stream: 'train' | 'fresh'
  ): Promise<void> {
    const noise = run.config.noise
    if (!noise) {
      triplets.value = null
      return
    }
    try {
      const first = firstNoisyCopies(
        glyphs.map((g) => g.pixels),
        noise,
        stream
      )
      const denoised = await denoise(run.runId, first)
      const items = glyphs.map((g, i) => ({
        char: g.char,
        clean: [...g.pixels],
        noisy: first[i]!,
        denoised: denoised[i]!
      }))
      triplets.value = {
        runId: run.runId,
        stream,
        items,
        stats: denoisingStats(
          items.map((t) => t.clean),
          first,
          denoised
        )
      }
      error.value = null
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  /**
   * The compared runs denoising the same noisy input: one fresh draw of `noise` on each glyph,
   * fed to every run (its denoised outputs, not its reconstructions of the clean glyphs).
   */
  async function compareRuns(
    runs: readonly LabRun[],
    glyphs: readonly Glyph[],
    noise: NoiseConfig
  ): Promise<void> {
    const token = ++comparisonToken
    try {
      const patterns = Float32Array.from(glyphs.flatMap((g) => g.pixels))
      // Every glyph of a set has its grid's pixel count (35 for 7x5).
      const size = glyphs[0]?.pixels.length ?? 35
      const { inputs } = noisyCopies(
        patterns,
        size,
        { ...noise, copies: 1 },
        noiseRandom(noise, 'fresh')
      )
      const noisy = glyphs.map((_, g) => Array.from(inputs.subarray(g * size, (g + 1) * size)))
      const outputs: Record<string, number[][]> = {}
      for (const run of runs)
        outputs[run.runId] = noisy.length ? await denoise(run.runId, noisy) : []
      if (token !== comparisonToken) return
      comparison.value = { noise, chars: glyphs.map((g) => g.char), noisy, outputs }
      error.value = null
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  /** Wrong pixels against the noise level, for one trained network, on fresh noise of its kind. */
  async function sweep(
    run: LabRun,
    glyphs: readonly Glyph[],
    levels = sweepLevels()
  ): Promise<void> {
    const kind = run.config.noise?.kind ?? settings.value.kind
    sweeping.value = true
    try {
      const points: SweepPoint[] = []
      for (const { level, clean, noisy } of sweepInputs(
        glyphs.map((g) => g.pixels),
        kind,
        levels
      )) {
        const denoised = await denoise(run.runId, noisy)
        points.push({ level, ...denoisingStats(clean, noisy, denoised) })
      }
      sweeps.value = { ...sweeps.value, [run.runId]: points }
      error.value = null
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      sweeping.value = false
    }
  }

  return {
    settings,
    triplets,
    sweeps,
    comparison,
    compareRuns,
    sweeping,
    error,
    preview,
    noisyDrawing,
    computeTriplets,
    sweep
  }
})
