import { letterTrainConfigSchema, vaeTrainConfigSchema } from '@shared/schemas'
import type { SessionSummary } from '@shared/session'
import type { LabRun } from './runs'
import type { VaeRun } from './vae-runs'

// Runs of an opened session as the lab's stores keep them.

/** A letters or denoising run. */
export function toLettersRun(r: SessionSummary): Omit<LabRun, 'color' | 'label'> {
  const {
    kind: _kind,
    name: _name,
    sweep: _sweep,
    ...config
  } = r.experiment as Extract<SessionSummary['experiment'], { kind: 'autoencoder' | 'denoising' }>
  const epochs = r.history['epoch'] ?? []
  const losses = r.history['loss'] ?? []
  return {
    runId: r.id,
    config: letterTrainConfigSchema.parse(config),
    lossPoints: epochs
      .map((e, i): [number, number] => [e ?? i, losses[i] ?? Number.NaN])
      .filter(([, l]) => Number.isFinite(l)),
    result: {
      runId: r.id,
      status: r.status,
      message: r.message,
      backend: r.environment.backend,
      epochs: r.epochs,
      seconds: r.seconds,
      finalLoss: r.finalLoss,
      glyphs: r.glyphs ?? [],
      denoising: r.denoising,
      metrics: r.metrics ?? null
    },
    ...(r.experiment.sweep ? { sweep: r.experiment.sweep } : {})
  }
}

/** A VAE run, with the reconstructions saved for a few epochs back in its curve. */
export function toVaeRun(r: SessionSummary): Omit<VaeRun, 'color' | 'label'> {
  const experiment = r.experiment as Extract<
    SessionSummary['experiment'],
    { kind: 'vae' | 'cvae' | 'conv-vae' }
  >
  const { kind: _kind, name: _name, sweep: _sweep, ...fields } = experiment
  // A conditional VAE's classes come from its data set: the lab's form has no field for them.
  // A convolutional VAE's filters and dense layer are its own settings beside the VAE's.
  // (A conditional convolutional VAE, trained from the command line, opens as its networks: the
  // panel has no class picker for it yet, so `conditional` is not a form field either.)
  const {
    classes: _classes,
    conditional: _conditional,
    filters,
    dense,
    ...config
  } = { classes: 0, conditional: false, filters: null, dense: null, ...fields }
  const h = r.history
  const images = new Map((r.epochImages ?? []).map((e) => [e.epoch, e.images]))
  const curve = (h['epoch'] ?? []).map((value, i) => {
    const epoch = value ?? i + 1
    return {
      runId: r.id,
      epoch,
      epochs: config.epochs,
      loss: h['loss']?.[i] ?? 0,
      reconstruction: h['reconstruction']?.[i] ?? 0,
      kl: h['kl']?.[i] ?? 0,
      samplesPerSecond: h['samplesPerSecond']?.[i] ?? 0,
      elapsedSeconds: 0,
      reconstructions: (images.get(epoch) ?? []).map((image) => image.map((v) => v / 255))
    }
  })
  return {
    runId: r.id,
    kind: experiment.kind,
    config: vaeTrainConfigSchema.parse(config),
    ...(filters && dense ? { conv: { filters: [...filters], dense } } : {}),
    curve,
    result: {
      runId: r.id,
      status: r.status,
      message: r.message,
      backend: r.environment.backend,
      epochs: r.epochs,
      seconds: r.seconds,
      finalLoss: r.finalLoss,
      metrics: r.metrics ?? null
    },
    ...(r.experiment.sweep ? { sweep: r.experiment.sweep } : {})
  }
}
