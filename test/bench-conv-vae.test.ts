import { describe, expect, it } from 'vitest'
import { benchConvVae } from '../src/cli/bench-conv-vae'

// `lab bench conv-vae-mnist` (src/cli/bench-conv-vae.ts) on tiny data: its options reach both
// sides (the lab and bench/reference_torch.py), the per-round lines and the summary. No timing
// is checked; PyTorch runs where it is installed (as here), else the bench says it skipped it.

async function bench(...args: string[]): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = []
  await benchConvVae((line) => lines.push(line), args)
  return lines
}

const tiny = ['--train', '128', '--test', '40', '--batch', '64', '--filters', '4,8', '--dense', '8']

describe('bench conv-vae-mnist', () => {
  it('trains both sides on the same small recipe and summarises the ratios', async () => {
    const lines = await bench(...tiny, '--epochs', '2', '--rounds', '1')
    const lab = lines.find((l) => l['engine'] === 'lab')!
    expect(lab).toMatchObject({
      round: 1,
      train: 128,
      test: 40,
      epochs: 2,
      batch: 64,
      filters: [4, 8],
      dense: 8,
      threads: 1,
      trainedOn: 'tfjs autodiff on wasm'
    })
    expect(Number(lab['samplesPerSecond'])).toBeGreaterThan(0)
    expect(Number(lab['testLoss'])).toBeGreaterThan(0)
    const summary = lines.at(-1)!
    expect(summary).toMatchObject({ summary: true, rounds: 1, labThreads: 1, pytorchThreads: 1 })
    const skipped = lines.find((l) => l['reference'] === 'pytorch')
    if (skipped) {
      expect(summary['elboRatio']).toBeNull()
    } else {
      const pytorch = lines.find((l) => l['engine'] === 'pytorch')!
      // The reference trained the same number of images and epochs, and tested as many.
      expect(pytorch).toMatchObject({ samples: 128, epochs: 2, testSamples: 40, threads: 1 })
      expect(pytorch['trainLosses']).toHaveLength(2)
      expect(summary['elboRatio']).toBeCloseTo(
        Number(lab['testLoss']) / Number(pytorch['testLoss']),
        10
      )
    }
  }, 120_000)

  it('refuses options out of range, naming them', async () => {
    await expect(bench('--train', '0')).rejects.toThrow(
      /--train must be a whole number from 128 to 60000, not "0"/
    )
    await expect(bench('--filters', '32,64,128')).rejects.toThrow(/--filters must be one or two/)
  })
})
