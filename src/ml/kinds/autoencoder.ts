import { autoencoderExperimentSchema } from '../../shared/experiments'
import { catalog } from './catalog'
import { glyphKind, lettersConfig } from './glyphs'
import type { ModelKind } from './types'

// The letters autoencoder (part 1 of the practical): glyphs to a small latent space and back.

export const autoencoderKind: ModelKind<'autoencoder'> = {
  kind: 'autoencoder',
  schema: autoencoderExperimentSchema,
  ...catalog.autoencoder,
  ...glyphKind(lettersConfig)
}
