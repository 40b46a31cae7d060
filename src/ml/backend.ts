import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { BackendName } from '../shared/schemas'

// Chooses the TensorFlow.js backend at run time: native tfjs-node when its libtensorflow
// loads, else the wasm backend (its .wasm files ship in the npm package), else plain CPU.

export interface BackendChoice {
  backend: BackendName
  /** Why this backend: what was tried before it and why it failed. */
  note: string
}

export type BackendLoader = (name: BackendName) => Promise<void>

const nodeRequire = createRequire(import.meta.url)

/** Node 23+ (and Electron 40+) removed util.isNullOrUndefined, which tfjs-node 4.22 calls. */
function polyfillUtilForTfjsNode(): void {
  const util = nodeRequire('node:util') as Record<string, unknown>
  if (typeof util['isNullOrUndefined'] !== 'function') {
    util['isNullOrUndefined'] = (value: unknown): boolean => value === null || value === undefined
  }
}

/** Registers a backend so that tf.setBackend can select it. */
export const loadBackend: BackendLoader = async (name) => {
  if (name === 'tensorflow') {
    polyfillUtilForTfjsNode()
    // tfjs-node is an optional dependency: absent wherever libtensorflow could not be fetched.
    const moduleName = '@tensorflow/tfjs-node'
    nodeRequire(moduleName)
  } else if (name === 'wasm') {
    const wasmDir = join(
      dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
      'dist/'
    )
    setWasmPaths(wasmDir)
  }
}

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu']

function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const firstLine = text.split('\n')[0] ?? text
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine
}

/**
 * Activates the first backend of `order` that loads and initialises, after `preferred` if
 * given. Throws only if none does.
 */
export async function chooseBackend(
  options: { preferred?: BackendName; order?: readonly BackendName[]; load?: BackendLoader } = {}
): Promise<BackendChoice> {
  const load = options.load ?? loadBackend
  const order = options.preferred
    ? [
        options.preferred,
        ...(options.order ?? BACKEND_ORDER).filter((b) => b !== options.preferred)
      ]
    : (options.order ?? BACKEND_ORDER)
  const skipped: string[] = []
  for (const name of order) {
    try {
      await load(name)
      if (!(await tf.setBackend(name))) throw new Error('backend failed to initialise')
      await tf.ready()
      const note = skipped.length ? `${name} (not available: ${skipped.join('; ')})` : name
      return { backend: name, note }
    } catch (error) {
      skipped.push(`${name}: ${shortReason(error)}`)
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`)
}
