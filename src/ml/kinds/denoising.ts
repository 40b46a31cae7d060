import { denoisingExperimentSchema } from '../../shared/experiments'
import { catalog } from './catalog'
import { glyphKind, lettersConfig } from './glyphs'
import type { ModelKind } from './types'

// The denoising autoencoder (part 2): the letters network trained to undo its kind of noise; its
// results add how well it denoises, on the training draw and on fresh noise.

export const denoisingKind: ModelKind<'denoising'> = {
  kind: 'denoising',
  schema: denoisingExperimentSchema,
  ...catalog.denoising,
  ...glyphKind(lettersConfig)
}
