import { linearExperimentSchema } from '../../shared/experiments'
import { gridOf, gridPixels } from '../../shared/schemas'
import { lettersData } from '../letters'
import { pca } from '../pca'
import { wrongPixels } from '../autoencoder'
import { catalog } from './catalog'
import { glyphKind, glyphsOf, lettersConfig } from './glyphs'
import type { ModelKind } from './types'

// The linear autoencoder the practical starts from: the letters network with no activation on
// its hidden and latent layers. Trained and explored as the letters autoencoder is; `lab eval`
// sets it beside PCA with as many components as its latent size, the linear code that is best
// for squared error.

const glyphs = glyphKind(lettersConfig)

const meanSquared = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0
  for (let i = 0; i < b.length; i++) sum += (a[i]! - b[i]!) ** 2
  return sum / b.length
}

export const linearKind: ModelKind<'linear'> = {
  kind: 'linear',
  schema: linearExperimentSchema,
  ...catalog.linear,
  ...glyphs,

  async evaluate(experiment, record, model, datasetsDir) {
    const lines = await glyphs.evaluate(experiment, record, model, datasetsDir)
    const { patterns } = lettersData(await glyphsOf(experiment, datasetsDir), experiment.subset)
    const { glyphs: results } = await glyphs.results(model, experiment, datasetsDir)
    const network = Float32Array.from((results ?? []).flatMap((g) => g.reconstruction))
    const pixels = gridPixels(gridOf(experiment))
    const reference = pca(patterns, pixels, experiment.latent).reconstructions
    const wrong = wrongPixels(reference, patterns, pixels)
    return [
      ...lines,
      ['this network, mean squared error per pixel', meanSquared(network, patterns).toFixed(4)],
      [
        `PCA with ${experiment.latent} component${experiment.latent === 1 ? '' : 's'}`,
        `mean squared error per pixel ${meanSquared(reference, patterns).toFixed(4)}, worst glyph ${Math.max(...wrong)} wrong pixels, ${wrong.filter((w) => w === 0).length}/${wrong.length} glyphs exact`
      ]
    ]
  }
}
