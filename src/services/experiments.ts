import * as tf from '@tensorflow/tfjs'
import {
  autoencoderSpec,
  createAutoencoder,
  shapeOf,
  type AutoencoderModel
} from '../ml/autoencoder'
import { loadNetworkParams, saveNetwork } from '../ml/export'
import { lettersData, trainLetters } from '../ml/letters'
import { describePatterns, evaluateDenoising } from '../ml/letters-results'
import type { TrainControl } from '../ml/train-autoencoder'
import { batchPixels, trainVae } from '../ml/train-vae'
import { createVae, vaeLoss, vaeParams, vaeSpecs, type VaeModel } from '../ml/vae'
import { layout } from '../ml/mlp'
import { gaussian } from '../shared/noise'
import { mulberry32 } from '../shared/random'
import {
  GLYPH_PIXELS,
  type BackendName,
  type Experiment,
  type Glyph,
  type DenoisingSummary,
  type GlyphResult
} from '../shared/schemas'
import { loadFonts, loadImageSet } from './datasets'
import type { RunRecord } from './session-file'

// Runs an experiment headlessly (the CLI's `train`) and turns it into a session run record;
// rebuilds a trained model from a record (the CLI's `eval`, and opening sessions).

export interface ExperimentContext {
  datasetsDir: string
  backend: BackendName
  versions: Record<string, string>
}

export interface ProgressUpdate {
  /** Epochs finished. */
  epoch: number
  epochs: number
  /** The last finished epoch's loss (null before the first). */
  loss: number | null
  /** Letters: worst glyph's wrong pixels. VAE: null. */
  maxWrongPixels: number | null
  /** VAE: batches done of the epoch in progress. */
  within?: { batch: number; batches: number }
  /** VAE: training speed, in the epoch in progress or the one just finished. */
  samplesPerSecond?: number
}

export interface ExperimentHooks {
  onProgress?: (update: ProgressUpdate) => void
  control?: TrainControl
}

const runId = (): string =>
  `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`

async function fontGlyphs(
  dir: string,
  experiment: Extract<Experiment, { kind: 'autoencoder' | 'denoising' }>
): Promise<Glyph[]> {
  if (experiment.glyphs) return experiment.glyphs
  const font = (await loadFonts(dir)).find((f) => f.name === experiment.font)
  if (!font) throw new Error(`character set ${experiment.font ?? '(none given)'} is not available`)
  return font.glyphs
}

/** What a glyph run trained on, as a person names it: never "Font1" for other glyphs. */
export function glyphSetName(
  experiment: Pick<
    Extract<Experiment, { kind: 'autoencoder' | 'denoising' }>,
    'font' | 'glyphs' | 'fontName'
  >
): string {
  if (experiment.glyphs)
    return `${experiment.fontName ?? 'custom set'} (${experiment.glyphs.length} glyphs)`
  return experiment.font ?? 'no character set'
}

export async function runExperiment(
  experiment: Experiment,
  context: ExperimentContext,
  hooks: ExperimentHooks = {}
): Promise<RunRecord> {
  const started = performance.now()
  const environment = { backend: context.backend, versions: context.versions }
  if (experiment.kind === 'vae') {
    const set = await loadImageSet(context.datasetsDir, experiment.dataset, 'train')
    const columns: Record<string, number[]> = {
      epoch: [],
      loss: [],
      reconstruction: [],
      kl: [],
      learningRate: [],
      samplesPerSecond: []
    }
    let lastLoss: number | null = null
    const run = await trainVae({ count: set.count, images: set.images, size: 784 }, experiment, {
      control: hooks.control,
      onBatch: (epoch, batch, batches, samplesPerSecond) =>
        hooks.onProgress?.({
          epoch: epoch - 1,
          epochs: experiment.epochs,
          loss: lastLoss,
          maxWrongPixels: null,
          within: { batch, batches },
          samplesPerSecond
        }),
      onEpoch: (r) => {
        lastLoss = r.loss
        for (const key of Object.keys(columns)) columns[key]!.push(r[key as keyof typeof r])
        hooks.onProgress?.({
          epoch: r.epoch,
          epochs: experiment.epochs,
          loss: r.loss,
          maxWrongPixels: null,
          samplesPerSecond: r.samplesPerSecond
        })
      }
    })
    const params = vaeParams(run.model)
    const { encoder, decoder } = vaeSpecs(run.model.shape)
    const encCount = layout(encoder).count
    const networks = {
      encoder: await saveNetwork(encoder, params.subarray(0, encCount), 'encoder'),
      decoder: await saveNetwork(decoder, params.subarray(encCount), 'decoder')
    }
    run.model.dispose()
    return {
      id: runId(),
      experiment,
      ...run.outcome,
      seconds: (performance.now() - started) / 1000,
      environment,
      history: columns,
      glyphs: null,
      denoising: null,
      networks
    }
  }
  const glyphs = await fontGlyphs(context.datasetsDir, experiment)
  const columns: Record<string, number[]> = {
    epoch: [],
    loss: [],
    learningRate: [],
    maxWrongPixels: []
  }
  const run = await trainLetters(glyphs, experiment, {
    control: hooks.control,
    onEpoch: (r) => {
      columns['epoch']!.push(r.epoch)
      columns['loss']!.push(r.loss)
      columns['learningRate']!.push(r.learningRate)
      columns['maxWrongPixels']!.push(r.maxWrongPixels)
      r.wrongPixels.forEach((w, i) => (columns[`wrongPixels.${i}`] ??= []).push(w))
      hooks.onProgress?.({
        epoch: r.epoch,
        epochs: experiment.epochs,
        loss: r.loss,
        maxWrongPixels: r.maxWrongPixels
      })
    }
  })
  const params = run.model.theta.dataSync() as Float32Array
  const networks = { autoencoder: await saveNetwork(run.model.spec, params, 'autoencoder') }
  run.model.dispose()
  const { status, message, epochs, finalLoss, glyphs: results, denoising } = run.outcome
  return {
    id: runId(),
    experiment,
    status,
    message,
    epochs,
    finalLoss,
    seconds: (performance.now() - started) / 1000,
    environment,
    history: columns,
    glyphs: results,
    denoising,
    networks
  }
}

/** A trained model's networks in tfjs-layers format, for a session file. */
export async function networksOf(
  model: AutoencoderModel | VaeModel
): Promise<RunRecord['networks']> {
  if (model.kind === 'autoencoder') {
    return {
      autoencoder: await saveNetwork(
        model.spec,
        Float32Array.from(model.theta.dataSync()),
        'autoencoder'
      )
    }
  }
  const params = vaeParams(model)
  const encCount = layout(model.encoder).count
  return {
    encoder: await saveNetwork(model.encoder, params.subarray(0, encCount), 'encoder'),
    decoder: await saveNetwork(model.decoder, params.subarray(encCount), 'decoder')
  }
}

/** Rebuilds the trained model of a run record from its saved weights. */
export async function modelOf(
  record: Pick<RunRecord, 'experiment' | 'networks'>
): Promise<AutoencoderModel | VaeModel> {
  const experiment = record.experiment
  if (experiment.kind === 'vae') {
    const shape = {
      inputSize: 784,
      hidden: experiment.hidden,
      latent: experiment.latent,
      activation: experiment.activation
    }
    const { encoder, decoder } = vaeSpecs(shape)
    const enc = record.networks['encoder']
    const dec = record.networks['decoder']
    if (!enc || !dec) throw new Error('this VAE run has no saved encoder and decoder')
    const encParams = await loadNetworkParams(enc, encoder, 'encoder')
    const decParams = await loadNetworkParams(dec, decoder, 'decoder')
    const params = new Float32Array(encParams.length + decParams.length)
    params.set(encParams)
    params.set(decParams, encParams.length)
    return createVae(shape, experiment.seed, params)
  }
  const saved = record.networks['autoencoder']
  if (!saved) throw new Error('this run has no saved autoencoder')
  const shape = shapeOf(experiment, GLYPH_PIXELS)
  const params = await loadNetworkParams(saved, autoencoderSpec(shape).spec, 'autoencoder')
  return createAutoencoder(shape, experiment.seed, params)
}

/** A glyph run's per-glyph results and, for a denoising run, its denoising figures. */
export async function lettersResults(
  model: AutoencoderModel,
  experiment: Extract<Experiment, { kind: 'autoencoder' | 'denoising' }>,
  datasetsDir: string
): Promise<{ glyphs: GlyphResult[]; denoising: DenoisingSummary | null }> {
  const { patterns, labels } = lettersData(
    await fontGlyphs(datasetsDir, experiment),
    experiment.subset
  )
  return {
    glyphs: describePatterns(model, patterns, GLYPH_PIXELS, labels),
    denoising: experiment.noise
      ? await evaluateDenoising(model, patterns, GLYPH_PIXELS, experiment.noise)
      : null
  }
}

export interface Evaluation {
  lines: [string, string][]
}

/** Recomputes a run's metrics from its saved weights and the data sets. */
export async function evaluateRun(record: RunRecord, datasetsDir: string): Promise<Evaluation> {
  const experiment = record.experiment
  const model = await modelOf(record)
  try {
    if (experiment.kind === 'vae' && model.kind === 'vae') {
      const test = await loadImageSet(datasetsDir, experiment.dataset, 'test')
      const { reconstruction, kl } = vaeTestLoss(
        model,
        { count: test.count, images: test.images, size: 784 },
        experiment.beta,
        experiment.seed
      )
      return {
        lines: [
          [
            'run',
            `${record.id} (${experiment.kind}, ${experiment.dataset}, ${record.status}, ${record.epochs} epochs)`
          ],
          ['test reconstruction (BCE per image)', reconstruction.toFixed(2)],
          ['test KL per image', kl.toFixed(2)],
          ['test loss (negative ELBO)', (reconstruction + experiment.beta * kl).toFixed(2)]
        ]
      }
    }
    if (experiment.kind === 'vae' || model.kind !== 'autoencoder')
      throw new Error('the run and its model do not match')
    const { glyphs: results, denoising: summary } = await lettersResults(
      model,
      experiment,
      datasetsDir
    )
    const worst = Math.max(...results.map((g) => g.wrongPixels))
    const lines: [string, string][] = [
      [
        'run',
        `${record.id} (${experiment.kind}, ${glyphSetName(experiment)}, ${record.status}, ${record.epochs} epochs)`
      ],
      ['glyphs', String(results.length)],
      ['worst glyph, wrong pixels', String(worst)],
      [
        'glyphs with no wrong pixel',
        `${results.filter((g) => g.wrongPixels === 0).length}/${results.length}`
      ],
      [
        'wrong pixels per glyph',
        results.map((g) => `${g.char === ' ' ? '␣' : g.char}:${g.wrongPixels}`).join(' ')
      ]
    ]
    if (summary) {
      lines.push(
        [
          'denoising, training noise',
          `mean wrong pixels ${summary.trainNoise.meanWrongBefore.toFixed(2)} -> ${summary.trainNoise.meanWrongAfter.toFixed(2)}, exact ${(summary.trainNoise.exactShare * 100).toFixed(0)}%`
        ],
        [
          'denoising, fresh noise',
          `mean wrong pixels ${summary.freshNoise.meanWrongBefore.toFixed(2)} -> ${summary.freshNoise.meanWrongAfter.toFixed(2)}, exact ${(summary.freshNoise.exactShare * 100).toFixed(0)}%`
        ]
      )
    }
    return { lines }
  } finally {
    model.dispose()
  }
}

/** Mean reconstruction BCE and KL per image over a data set, with seeded reparameterisation draws. */
export function vaeTestLoss(
  model: VaeModel,
  data: { count: number; images: Uint8Array; size: number },
  beta: number,
  seed: number
): { reconstruction: number; kl: number } {
  const batch = 500
  const random = mulberry32(seed ^ 0x7e57)
  const pixels = new Float32Array(batch * data.size)
  const noise = new Float32Array(batch * model.shape.latent)
  let recon = 0
  let kl = 0
  let seen = 0
  for (let start = 0; start + batch <= data.count; start += batch) {
    const indices = Array.from({ length: batch }, (_, i) => start + i)
    batchPixels(data, indices, pixels)
    for (let k = 0; k < noise.length; k++) noise[k] = gaussian(random)
    tf.tidy(() => {
      const step = vaeLoss(
        model,
        tf.tensor2d(pixels, [batch, data.size]),
        tf.tensor2d(noise, [batch, model.shape.latent])
      )
      recon += step.reconstruction.dataSync()[0]! * batch
      kl += step.kl.dataSync()[0]! * batch
    })
    seen += batch
  }
  return { reconstruction: recon / seen, kl: kl / seen }
}
