import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainingService } from '../src/services/training'
import type { EventName, EventPayload } from '../src/shared/contract'
import { defaultLetterConfig, vaeTrainConfigSchema } from '../src/shared/schemas'
import { datasetsDir, letters, root } from './helpers'

// TrainingService with a worker that dies mid-run: the run fails once, in `runFailed` tagged
// with the run's kind (known from its start, not guessed from the worker), and the next run
// gets a fresh worker.

describe('a training worker that dies', () => {
  it('fails the run once with its kind, and the next run starts afresh', async () => {
    const events: { name: EventName; payload: unknown }[] = []
    const waiting: ((name: EventName) => void)[] = []
    const failures = (): EventPayload<'runFailed'>[] =>
      events
        .filter((e) => e.name === 'runFailed')
        .map((e) => e.payload as EventPayload<'runFailed'>)
    const failed = async (count: number): Promise<EventPayload<'runFailed'>> => {
      while (failures().length < count)
        await new Promise<EventName>((resolve) => waiting.push(resolve))
      return failures()[count - 1]!
    }
    const dropped: string[] = []
    const training = new TrainingService({
      workerPath: join(root, 'test/fixtures/dying-worker.mjs'),
      emit: (name, payload) => {
        events.push({ name, payload })
        waiting.splice(0).forEach((w) => w(name))
      },
      onFailed: (runId) => dropped.push(runId)
    })
    try {
      const vae = vaeTrainConfigSchema.parse({ dataset: 'mnist', trainSize: 256, epochs: 1 })
      const vaeRun = await training.start({ ...vae, kind: 'vae' }, datasetsDir)
      const vaeFailed = await failed(1)
      expect(vaeFailed).toMatchObject({ runId: vaeRun, kind: 'vae' })
      expect(vaeFailed.message).toMatch(
        /the training worker stopped unexpectedly: the training worker exited \(code 3\)/
      )
      expect(training.running).toBeNull()
      expect(dropped).toEqual([vaeRun])

      const lettersRun = await training.start(letters(defaultLetterConfig), datasetsDir)
      expect(await failed(2)).toMatchObject({ runId: lettersRun, kind: 'autoencoder' })
      // One failure per run, and no other end of either.
      expect(events.map((e) => e.name)).toEqual(['runFailed', 'runFailed'])
    } finally {
      await training.close()
    }
  })
})
