import type { ExperimentOf } from '../../shared/experiments'
import { gridOf, gridPixels, type Glyph, type LetterTrainConfig } from '../../shared/schemas'
import type { RunRecord } from '../../shared/session'
import { autoencoderSpec, createAutoencoder, shapeOf, type AutoencoderModel } from '../autoencoder'
import { loadFonts } from '../data/datasets'
import { loadNetworkParams, saveNetwork } from '../export'
import type { Model } from '../inference'
import { lettersData, trainLetters } from '../letters'
import { describePatterns, evaluateDenoising } from '../letters-results'
import { glyphAnalysis } from '../latent-analysis'
import type { Pace } from '../pace'
import type { KindProgress, KindRun, ModelKind, Networks, ProgressLine, RunHooks } from './types'

// What the glyph kinds (autoencoder, denoising, linear) share: a dense autoencoder trained full
// batch on a character set, saved as one network, judged by wrong pixels per glyph. Each kind's
// module says how its experiment becomes a training config.

export type GlyphKind = 'autoencoder' | 'denoising' | 'linear'
export type GlyphExperiment = ExperimentOf<GlyphKind>
type GlyphProgress = KindProgress<'autoencoder'>

/** The glyphs a run trains on: its own, or a lab character set from the data sets folder. */
export async function glyphsOf(experiment: GlyphExperiment, datasetsDir: string): Promise<Glyph[]> {
  if (experiment.glyphs) return experiment.glyphs
  const font = (await loadFonts(datasetsDir)).find((f) => f.name === experiment.font)
  if (!font) throw new Error(`character set ${experiment.font ?? '(none given)'} is not available`)
  return font.glyphs
}

/** What a glyph run trained on, as a person names it: never "Font1" for other glyphs. */
export function glyphSetName(
  experiment: Pick<GlyphExperiment, 'font' | 'glyphs' | 'fontName'>
): string {
  if (experiment.glyphs)
    return `${experiment.fontName ?? 'custom set'} (${experiment.glyphs.length} glyphs)`
  return experiment.font ?? 'no character set'
}

function autoencoderOf(model: Model): AutoencoderModel {
  if (model.kind !== 'autoencoder') throw new Error('the run and its model do not match')
  return model
}

/** Trains a glyph run, sending the loss points since the last progress event when one is due. */
async function train(
  experiment: GlyphExperiment,
  config: LetterTrainConfig,
  datasetsDir: string,
  hooks: RunHooks<GlyphProgress>
): Promise<KindRun<GlyphKind>> {
  const glyphs = await glyphsOf(experiment, datasetsDir)
  let points: [number, number][] = []
  let last = { epoch: 0, maxWrongPixels: gridPixels(gridOf(config)) }
  /** Sends the points since the last event; `within`, when inside a long epoch. */
  const flush = (paused: boolean, within?: { slice: number; slices: number }): void => {
    const seconds = hooks.elapsed()
    hooks.progress({
      ...(within ? { within } : {}),
      epoch: last.epoch,
      points: points.filter(([, loss]) => Number.isFinite(loss)),
      maxWrongPixels: Math.ceil(last.maxWrongPixels),
      epochsPerSecond: seconds > 0 ? last.epoch / seconds : 0,
      elapsedSeconds: seconds,
      paused
    })
    points = []
  }
  const run = await trainLetters(glyphs, config, {
    onEpoch: (r) => {
      const row: Record<string, number> = {
        epoch: r.epoch,
        loss: r.loss,
        learningRate: r.learningRate,
        maxWrongPixels: r.maxWrongPixels
      }
      r.wrongPixels.forEach((w, i) => (row[`wrongPixels.${i}`] = w))
      hooks.record(row)
      last = r
      points.push([r.epoch, r.loss])
      if (hooks.due()) flush(false)
    },
    onSlice: (slice, slices) => {
      if (hooks.due()) flush(false, { slice, slices })
    },
    control: hooks.control(flush)
  })
  flush(false)
  const { glyphs: results, denoising, ...outcome } = run.outcome
  return {
    model: run.model,
    outcome,
    result: { glyphs: results, denoising },
    record: { glyphs: results, denoising }
  }
}

async function save(model: Model): Promise<Networks> {
  const m = autoencoderOf(model)
  const params = Float32Array.from(m.theta.dataSync())
  return { autoencoder: await saveNetwork(m.spec, params, 'autoencoder') }
}

async function load(config: LetterTrainConfig, networks: Networks): Promise<Model> {
  const saved = networks['autoencoder']
  if (!saved) throw new Error('this run has no saved autoencoder')
  const shape = shapeOf(config, gridPixels(gridOf(config)))
  const params = await loadNetworkParams(saved, autoencoderSpec(shape).spec, 'autoencoder')
  return createAutoencoder(shape, config.seed, params)
}

/** Per-glyph results and, for a run trained on noise, its denoising figures. */
async function results(
  model: Model,
  experiment: GlyphExperiment,
  config: LetterTrainConfig,
  datasetsDir: string,
  pace?: Pace
): Promise<Pick<RunRecord, 'glyphs' | 'denoising'>> {
  const m = autoencoderOf(model)
  const { patterns, labels } = lettersData(await glyphsOf(experiment, datasetsDir), config.subset)
  const pixels = gridPixels(gridOf(config))
  return {
    glyphs: describePatterns(m, patterns, pixels, labels),
    denoising: config.noise
      ? await evaluateDenoising(m, patterns, pixels, config.noise, undefined, pace)
      : null
  }
}

async function evaluate(
  record: RunRecord,
  experiment: GlyphExperiment,
  model: Model,
  config: LetterTrainConfig,
  datasetsDir: string
): Promise<[string, string][]> {
  const { glyphs, denoising } = await results(model, experiment, config, datasetsDir)
  const found = glyphs ?? []
  const lines: [string, string][] = [
    [
      'run',
      `${record.id} (${experiment.kind}, ${glyphSetName(experiment)}, ${record.status}, ${record.epochs} epochs)`
    ],
    ['glyphs', String(found.length)],
    ['worst glyph, wrong pixels', String(Math.max(...found.map((g) => g.wrongPixels)))],
    [
      'glyphs with no wrong pixel',
      `${found.filter((g) => g.wrongPixels === 0).length}/${found.length}`
    ],
    [
      'wrong pixels per glyph',
      found.map((g) => `${g.char === ' ' ? '␣' : g.char}:${g.wrongPixels}`).join(' ')
    ]
  ]
  const figures = (
    name: string,
    s: NonNullable<typeof denoising>['trainNoise']
  ): [string, string] => [
    `denoising, ${name}`,
    `mean wrong pixels ${s.meanWrongBefore.toFixed(2)} -> ${s.meanWrongAfter.toFixed(2)}, exact ${(s.exactShare * 100).toFixed(0)}%`
  ]
  if (denoising)
    lines.push(
      figures('training noise', denoising.trainNoise),
      figures('fresh noise', denoising.freshNoise)
    )
  return lines
}

function line(p: GlyphProgress, experiment: GlyphExperiment): ProgressLine {
  return {
    epoch: p.epoch,
    epochs: experiment.epochs,
    loss: p.points.at(-1)?.[1] ?? null,
    maxWrongPixels: p.maxWrongPixels,
    ...(p.within ? { within: { batch: p.within.slice, batches: p.within.slices } } : {})
  }
}

/**
 * The behaviour of a glyph kind whose experiments become a training config by `configOf` (the
 * kind, its schema and its traits are the kind module's).
 */
export function glyphKind(
  configOf: (experiment: GlyphExperiment) => LetterTrainConfig
): Pick<
  ModelKind<GlyphKind>,
  'train' | 'save' | 'load' | 'results' | 'evaluate' | 'line' | 'analyze'
> {
  return {
    train: (e, datasetsDir, hooks) => train(e, configOf(e), datasetsDir, hooks),
    save,
    load: (e, networks) => load(configOf(e), networks),
    results: (model, e, datasetsDir, pace) => results(model, e, configOf(e), datasetsDir, pace),
    evaluate: (e, record, model, datasetsDir) =>
      evaluate(record, e, model, configOf(e), datasetsDir),
    line,
    // The clean glyphs trained on (a denoising run's too): its codes beside PCA's.
    analyze: async (model, e, datasetsDir, projection) => {
      const config = configOf(e)
      const { patterns } = lettersData(await glyphsOf(e, datasetsDir), config.subset)
      const pixels = gridPixels(gridOf(config))
      return glyphAnalysis(autoencoderOf(model), patterns, pixels, projection, config.seed)
    }
  }
}

/** A glyph experiment's training config: the experiment without what only names or finds it. */
export function lettersConfig(experiment: GlyphExperiment): LetterTrainConfig {
  const { kind: _kind, name: _name, fontFile: _fontFile, sweep: _sweep, ...config } = experiment
  return config
}
