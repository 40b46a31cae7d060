import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { BackendName } from '../shared/schemas'
import { defaultWasmThreads } from './threads'
import { useThreadedWasm, wasmThreads } from './wasm-threads'
import { quietCpuBanner } from './quiet-banner'
import { registerWasmConvGradients } from './wasm-conv'

// Chooses the TensorFlow.js backend at run time: native tfjs-node when its libtensorflow
// loads, else the wasm backend (its .wasm files ship in the npm package), else plain CPU.

export interface BackendChoice {
  backend: BackendName
  /** The backend and, for wasm, its threads: "wasm (2 threads)". */
  label: string
  /** Threads the backend computes with (wasm's pool; 1 for cpu; tensorflow manages its own). */
  threads: number
  /** Why this backend: what was tried before it and why it failed; wasm says its threads. */
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

/** Why a backend was passed over, as information: tfjs-node is optional, its absence normal. */
function skippedBecause(name: BackendName, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (name === 'tensorflow' && /Cannot find module '@tensorflow\/tfjs-node'/.test(text))
    return 'the optional native backend (@tensorflow/tfjs-node) is not installed'
  return `${name} did not start: ${shortReason(error)}`
}

function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const firstLine = text.split('\n')[0] ?? text
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine
}

/**
 * Initialises the wasm backend, multithreaded when more than one thread is asked for. Returns
 * why the threaded build did not start, if it was asked for and did not.
 */
async function startWasm(
  threads: number,
  startThreaded: (threads: number) => Promise<() => void>
): Promise<{ fallback: string | null }> {
  // Started before in this process: keep it (replacing it would dispose every tensor on it).
  const started = (tf.engine().registry as Record<string, unknown>)['wasm'] !== undefined
  if (threads > 1 && !started) {
    let restore: (() => void) | null = null
    try {
      restore = await startThreaded(threads)
      if (!(await tf.setBackend('wasm'))) throw new Error('backend failed to initialise')
      await tf.ready()
      return { fallback: null }
    } catch (error) {
      restore?.()
      if (!(await tf.setBackend('wasm'))) throw error
      await tf.ready()
      return { fallback: `the threaded build did not start: ${shortReason(error)}` }
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('backend failed to initialise')
  await tf.ready()
  return { fallback: null }
}

/**
 * Activates the first backend of `order` that loads and initialises, after `preferred` if
 * given. Throws only if none does. `threads` sizes the wasm backend's pool (default: every
 * core, at most 8).
 */
export async function chooseBackend(
  options: {
    preferred?: BackendName
    order?: readonly BackendName[]
    load?: BackendLoader
    threads?: number
    /** Starts the threaded wasm build (tests inject a failing one). */
    startThreaded?: (threads: number) => Promise<() => void>
  } = {}
): Promise<BackendChoice> {
  quietCpuBanner()
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
      let fallback: string | null = null
      if (name === 'wasm' && !options.load) {
        fallback = (
          await startWasm(
            options.threads ?? defaultWasmThreads(),
            options.startThreaded ?? useThreadedWasm
          )
        ).fallback
      } else {
        if (!(await tf.setBackend(name))) throw new Error('backend failed to initialise')
        await tf.ready()
      }
      // The wasm backend's convolution gradients (and transposed convolution) are slow or absent.
      if (name === 'wasm') registerWasmConvGradients()
      const threads = name === 'wasm' ? wasmThreads() : 1
      const label = name === 'wasm' ? `wasm (${threads} thread${threads === 1 ? '' : 's'})` : name
      const detail = [fallback, ...skipped].filter(Boolean).join('; ')
      return { backend: name, label, threads, note: detail ? `${label} (${detail})` : label }
    } catch (error) {
      skipped.push(skippedBecause(name, error))
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`)
}

/**
 * Disposes the active backend, and with it the wasm backend's pthread workers (which would
 * otherwise keep a command-line process alive after its work is done).
 */
export function releaseBackend(): void {
  for (const name of Object.keys(tf.engine().registry)) tf.removeBackend(name)
}
