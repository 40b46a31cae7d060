import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainingService } from '../src/services/training'
import { defaultLetterConfig, vaeTrainConfigSchema } from '../src/shared/schemas'
import { datasetsDir, root } from './helpers'

// TrainingService with a worker that dies mid-run: the run fails with a message, in the event
// its lab listens for, and the next run gets a fresh worker.

describe('a training worker that dies', () => {
  it('fails the run in the event its lab listens for, and the next run starts afresh', async () => {
    const events: { name: string; payload: unknown }[] = []
    const waiting = new Map<string, (payload: Record<string, unknown>) => void>()
    const done = (name: string): Promise<Record<string, unknown>> => {
      const seen = events.find((e) => e.name === name)
      if (seen) return Promise.resolve(seen.payload as Record<string, unknown>)
      return new Promise((resolve) => waiting.set(name, resolve))
    }
    const training = new TrainingService({
      workerPath: join(root, 'test/fixtures/dying-worker.mjs'),
      emit: (name, payload) => {
        events.push({ name, payload })
        waiting.get(name)?.(payload as Record<string, unknown>)
      }
    })
    try {
      const vaeRun = await training.startVae(
        vaeTrainConfigSchema.parse({ dataset: 'mnist', trainSize: 256, epochs: 1 }),
        datasetsDir
      )
      const vaeDone = await done('vaeDone')
      expect(vaeDone).toMatchObject({ runId: vaeRun, status: 'failed' })
      expect(vaeDone['message']).toMatch(
        /the training worker stopped unexpectedly: the training worker exited \(code 3\)/
      )
      expect(training.running).toBeNull()
      expect(events.some((e) => e.name === 'trainingDone')).toBe(false)

      const lettersRun = await training.start(defaultLetterConfig, [])
      const trainingDone = await done('trainingDone')
      expect(trainingDone).toMatchObject({ runId: lettersRun, status: 'failed' })
    } finally {
      await training.close()
    }
  })
})
