import { gridOf, gridPixels, type Glyph, type LetterTrainConfig } from '../shared/schemas'
import {
  trainAutoencoder,
  type AutoencoderRun,
  type TrainHooks,
  type TrainOptions
} from './train-autoencoder'

// The letters task: a character set (or a chosen subset of it) as patterns of its grid's pixels
// (35 for the course's 7x5).

export function lettersData(
  glyphs: readonly Glyph[],
  subset?: readonly number[]
): { patterns: Float32Array; labels: string[]; chosen: Glyph[] } {
  const chosen = subset
    ? subset.map((i) => {
        const glyph = glyphs[i]
        if (!glyph) throw new Error(`glyph ${i} is not in the set (it has ${glyphs.length})`)
        return glyph
      })
    : [...glyphs]
  if (chosen.length === 0) throw new Error('there are no glyphs to train on')
  return {
    patterns: Float32Array.from(chosen.flatMap((g) => g.pixels)),
    labels: chosen.map((g) => g.char),
    chosen
  }
}

export async function trainLetters(
  glyphs: readonly Glyph[],
  config: LetterTrainConfig,
  hooks: TrainHooks = {},
  options: TrainOptions = {}
): Promise<AutoencoderRun> {
  const { patterns, labels } = lettersData(glyphs, config.subset)
  return trainAutoencoder(patterns, gridPixels(gridOf(config)), labels, config, hooks, options)
}
