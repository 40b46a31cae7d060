import {
  kindFamily,
  type Experiment,
  type ExperimentKind,
  type ExperimentOf
} from '../../shared/experiments'
import {
  CLASS_NAMES,
  gridOf,
  gridPixels,
  IMAGE_PIXELS,
  IMAGE_SIDE,
  isBuiltInDataset,
  type DatasetSummary
} from '../../shared/schemas'
import { autoencoderSpec, cvaeSpecs, shapeOf, vaeSpecs, type NetworkName } from '../architecture'
import { checkSavedConvNetwork, conditionClasses, convShapeProblem } from '../conv-architecture'
import type { NetworkSpec } from '../saved-network'
import { changedMessage, loadFonts } from '../data/datasets'
import { summariseImageSets } from '../data/summaries'
import { readManifest } from '../data/imported'

// The host's side of each model kind: which worker trains it, the networks it saves (to check a
// session file before any model is built) and what must exist before a run starts. Free of
// TensorFlow.js, so hosts can use it; the kinds' modules (registry.ts) build on these traits.

export type WorkerKind = (typeof kindFamily)[ExperimentKind]

export interface KindTraits<K extends ExperimentKind> {
  /** The training worker of the kind's runs (glyph networks on one thread, images on all). */
  readonly worker: WorkerKind
  /** The layers of each network an experiment trains, by the name it is saved under. */
  networks(experiment: ExperimentOf<K>): Partial<Record<NetworkName, NetworkSpec>>
  /**
   * Fails, naming what is missing, when a run of this experiment cannot start here; `imported`
   * is the workspace's folder of imported data sets, if it has one.
   */
  check(experiment: ExperimentOf<K>, datasetsDir: string, imported?: string | null): Promise<void>
  /** The experiment as a run records it: with the content hash of an imported data set. */
  pin?(experiment: ExperimentOf<K>, imported: string | null): Promise<ExperimentOf<K>>
}

type GlyphExperiment = ExperimentOf<'autoencoder' | 'denoising' | 'linear'>

/** A glyph run trains on its own glyphs, or on a lab character set that must be there. */
async function checkGlyphs(experiment: GlyphExperiment, datasetsDir: string): Promise<void> {
  if (experiment.fontFile !== undefined)
    throw new Error('"fontFile" is read by `lab train`; send the glyphs themselves')
  if (experiment.glyphs) return
  const fonts = await loadFonts(datasetsDir)
  if (!fonts.some((f) => f.name === experiment.font))
    throw new Error(`character set ${experiment.font ?? '(none given)'} is not available`)
}

const glyphTraits = {
  worker: kindFamily.autoencoder,
  networks: (e: GlyphExperiment) => ({
    autoencoder: autoencoderSpec(shapeOf(e, gridPixels(gridOf(e)))).spec
  }),
  check: checkGlyphs
} as const

/** The dense networks take 28x28 grey images (a summary's message says why a set is not such). */
const denseShape = (found: DatasetSummary): string | null =>
  found.size === IMAGE_SIDE && found.channels === 1 ? null : found.message

/**
 * An image run's data set must be here (built in, or imported into the workspace), unchanged,
 * and of a shape its networks take (`shapeProblem`: why not, or null).
 */
async function checkImageSet(
  e: { dataset: string; datasetHash?: string | undefined },
  datasetsDir: string,
  imported: string | null = null,
  shapeProblem: (found: DatasetSummary) => string | null = denseShape
): Promise<void> {
  const found = (await summariseImageSets(datasetsDir, imported)).find((d) => d.id === e.dataset)
  if (!found)
    throw new Error(
      imported === null
        ? `the data set "${e.dataset}" is not available: only the built-in ones are here`
        : `the data set "${e.dataset}" is not in this workspace (${imported}); import it with lab import-data`
    )
  if (!found.available) throw new Error(found.message)
  if (e.datasetHash !== undefined && found.contentHash !== e.datasetHash)
    throw new Error(changedMessage(e.dataset))
  const problem = shapeProblem(found)
  if (problem) throw new Error(problem)
}

const convShape = (e: ExperimentOf<'conv-vae'>) => ({
  filters: e.filters,
  dense: e.dense,
  latent: e.latent,
  classes: conditionClasses(e)
})

/**
 * A conditional model's one-hot is as wide as its data set has classes (an imported set's, from
 * its manifest, with the set's content hash).
 */
async function pinClasses<E extends { dataset: string; datasetHash?: string; classes?: number }>(
  e: E,
  imported: string | null
): Promise<E> {
  if (isBuiltInDataset(e.dataset)) return { ...e, classes: CLASS_NAMES[e.dataset].length }
  if (imported === null) return e
  const manifest = await readManifest(imported, e.dataset)
  return { ...e, datasetHash: manifest.contentHash, classes: manifest.classes.length }
}

export const catalog = {
  autoencoder: glyphTraits,
  denoising: glyphTraits,
  linear: glyphTraits,
  vae: {
    worker: kindFamily.vae,
    networks: (e) =>
      vaeSpecs({
        inputSize: IMAGE_PIXELS,
        hidden: e.hidden,
        latent: e.latent,
        activation: e.activation
      }),
    check: checkImageSet,
    pin: async (e, imported) => {
      if (isBuiltInDataset(e.dataset) || imported === null) return e
      return { ...e, datasetHash: (await readManifest(imported, e.dataset)).contentHash }
    }
  },
  cvae: {
    worker: kindFamily.cvae,
    networks: (e) =>
      cvaeSpecs({
        inputSize: IMAGE_PIXELS,
        hidden: e.hidden,
        latent: e.latent,
        activation: e.activation,
        classes: e.classes
      }),
    check: checkImageSet,
    // The one-hot is as wide as the data set has classes (an imported set's, from its manifest).
    pin: pinClasses
  },
  'conv-vae': {
    worker: kindFamily['conv-vae'],
    // Its networks are checked at whatever image size they were trained on (their weights say).
    networks: (e) => ({
      encoder: { check: (saved) => void checkSavedConvNetwork(saved, 'encoder', convShape(e)) },
      decoder: { check: (saved) => void checkSavedConvNetwork(saved, 'decoder', convShape(e)) }
    }),
    check: (e, datasetsDir, imported = null) =>
      checkImageSet(e, datasetsDir, imported, (found) =>
        convShapeProblem(found.size, found.channels, e.filters.length)
      ),
    pin: async (e, imported) => {
      if (e.conditional) return pinClasses(e, imported)
      if (isBuiltInDataset(e.dataset) || imported === null) return e
      return { ...e, datasetHash: (await readManifest(imported, e.dataset)).contentHash }
    }
  }
} as const satisfies { [K in ExperimentKind]: KindTraits<K> }

/** An experiment as its run records it (an imported data set's content hash filled in). */
export async function pinned(experiment: Experiment, imported: string | null): Promise<Experiment> {
  const pin = traitsOf(experiment).pin
  return pin ? pin(experiment, imported) : experiment
}

/** The traits of an experiment's kind. */
export function traitsOf<E extends Experiment>(experiment: E): KindTraits<E['kind']> {
  return catalog[experiment.kind] as KindTraits<E['kind']>
}
