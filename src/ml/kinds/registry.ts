import type { Experiment, ExperimentKind } from '../../shared/experiments'
import { autoencoderKind } from './autoencoder'
import { convVaeKind } from './conv-vae'
import { cvaeKind } from './cvae'
import { denoisingKind } from './denoising'
import { linearKind } from './linear'
import type { ModelKind } from './types'
import { vaeKind } from './vae'

// Every model kind the lab trains, by name: the one place a kind is registered. The worker, the
// run driver, the CLI and session loading look kinds up here (hosts use catalog.ts, which loads
// no TensorFlow.js).

const kinds: { [K in ExperimentKind]: ModelKind<K> } = {
  autoencoder: autoencoderKind,
  denoising: denoisingKind,
  linear: linearKind,
  vae: vaeKind,
  cvae: cvaeKind,
  'conv-vae': convVaeKind
}

/** The module of a kind, by name. */
export function kindNamed<K extends ExperimentKind>(kind: K): ModelKind<K> {
  return kinds[kind]
}

/** The module of an experiment's kind. */
export function kindOf<E extends Experiment>(experiment: E): ModelKind<E['kind']> {
  return kinds[experiment.kind as E['kind']]
}

export type { ModelKind } from './types'
