import { describe, expect, it } from 'vitest'
import { createHandlers, dispatch, type Handlers } from '../src/services/lab-service'
import { TrainingService } from '../src/services/training'
import { defaultLetterConfig } from '../src/shared/schemas'
import { requestNames, requests } from '../src/shared/contract'
import { datasetsDir, letters, scratchWorkspace } from './helpers'
import { SessionService } from '../src/services/sessions'

/** A training service whose worker must never be started: invalid input must not reach it. */
class UntouchableTraining extends TrainingService {
  constructor() {
    super({ workerPath: '/nonexistent', emit: () => undefined })
  }
  override start(): Promise<string> {
    throw new Error('training must not start for an invalid request')
  }
}

const training = new UntouchableTraining()
const sessions = new SessionService({
  workspace: scratchWorkspace(),
  training,
  versions: async () => ({}),
  backend: async () => 'wasm'
})
const handlers: Handlers = createHandlers({ host: 'browser', datasetsDir, training, sessions })

describe('lab contract at the boundary', () => {
  it('names every request with an input and an output schema', () => {
    expect(Object.keys(requests).sort()).toEqual([...requestNames].sort())
  })

  it('answers a valid request', async () => {
    const reply = await dispatch(handlers, 'listFonts', undefined)
    expect(reply.ok).toBe(true)
  })

  it('rejects unknown requests', async () => {
    for (const name of ['deleteEverything', 42, null, '__proto__', 'constructor', 'toString']) {
      const reply = await dispatch(handlers, name, undefined)
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    }
  })

  const bad: [string, unknown, RegExp][] = [
    ['missing config', undefined, /startRun input/],
    ['unknown kind', { ...defaultLetterConfig, kind: 'rbm' }, /kind/],
    ['unknown font', { ...letters(defaultLetterConfig), font: 'Font9' }, /font/],
    ['negative epochs', { ...letters(defaultLetterConfig), epochs: -5 }, /epochs/],
    ['fractional layer size', { ...letters(defaultLetterConfig), hidden: [25.5] }, /hidden\.0/],
    [
      'too many layers',
      { ...letters(defaultLetterConfig), hidden: [1, 2, 3, 4, 5, 6, 7] },
      /hidden/
    ],
    [
      'string learning rate',
      { ...letters(defaultLetterConfig), learningRate: '0.1' },
      /learningRate/
    ],
    [
      'NaN learning rate',
      { ...letters(defaultLetterConfig), learningRate: Number.NaN },
      /learningRate/
    ],
    ['unexpected field', { ...letters(defaultLetterConfig), extra: true }, /extra/],
    ['not an object', 'Font2', /expected object/]
  ]
  for (const [what, input, field] of bad) {
    it(`rejects startRun with ${what}, naming the field, and starts nothing`, async () => {
      const reply = await dispatch(handlers, 'startRun', input)
      expect(reply.ok).toBe(false)
      if (!reply.ok) {
        expect(reply.error.code).toBe('invalid-input')
        expect(reply.error.message).toMatch(field)
      }
    })
  }

  it('rejects malformed run ids', async () => {
    for (const input of [
      {},
      { runId: '../../etc' },
      { runId: 'run-1', more: 1 },
      { runId: 'x'.repeat(500) }
    ]) {
      const reply = await dispatch(handlers, 'stopRun', input)
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
  })

  it('reports a well-formed request for an unknown run as not found', async () => {
    const reply = await dispatch(handlers, 'stopRun', { runId: 'run-nothing' })
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: /no training run run-nothing/ }
    })
  })

  it('rejects input on requests that take none', async () => {
    const reply = await dispatch(handlers, 'listFonts', { sneaky: true })
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })
})
