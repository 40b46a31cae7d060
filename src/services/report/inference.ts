import type { RunRecord } from '../../shared/session'
import { decode, encode, type Model } from '../../ml/inference'
import { kindOf } from '../../ml/kinds/registry'
import { modelOf } from '../experiments'
import type { TrainingService } from '../training'

// What a report needs of the trained networks: codes, reconstructions and decodings, and a VAE's
// test-set codes. In the app the models already sit in the training worker (the same src/ml
// inference, behind the training service); the command line loads them from the session file.

export interface ReportInference {
  encode(
    runId: string,
    patterns: number[][]
  ): Promise<{ points: number[][]; reconstructions: number[][] }>
  decode(runId: string, points: number[][]): Promise<number[][]>
  /** A VAE's test set: its latent means and labels. */
  testSet(runId: string): Promise<{ points: number[][]; labels: number[] }>
}

const BATCH = 1024

async function batched(
  rows: number[][],
  work: (batch: number[][]) => Promise<number[][]>
): Promise<number[][]> {
  const out: number[][] = []
  for (let i = 0; i < rows.length; i += BATCH) out.push(...(await work(rows.slice(i, i + BATCH))))
  return out
}

/** Inference through the training workers (the app: every run of the session is loaded there). */
export function workerInference(training: TrainingService, datasetsDir: string): ReportInference {
  return {
    encode: async (runId, patterns) => {
      const points: number[][] = []
      const reconstructions: number[][] = []
      for (let i = 0; i < patterns.length; i += BATCH) {
        const r = await training.encode({ runId, patterns: patterns.slice(i, i + BATCH) })
        points.push(...r.points)
        reconstructions.push(...r.reconstructions)
      }
      return { points, reconstructions }
    },
    decode: (runId, points) =>
      batched(points, async (batch) => (await training.decode({ runId, points: batch })).patterns),
    testSet: (runId) => training.testSet(runId, datasetsDir)
  }
}

/** Inference in this process on models rebuilt from the runs' saved networks (the CLI). */
export function localInference(
  runs: readonly RunRecord[],
  datasetsDir: string
): ReportInference & { dispose(): void } {
  const models = new Map<string, Promise<Model>>()
  const recordOf = (runId: string): RunRecord => {
    const run = runs.find((r) => r.id === runId)
    if (!run) throw new Error(`the session has no run ${runId}`)
    return run
  }
  const model = (runId: string): Promise<Model> => {
    let m = models.get(runId)
    if (!m) {
      m = modelOf(recordOf(runId))
      models.set(runId, m)
    }
    return m
  }
  return {
    encode: async (runId, patterns) => {
      const m = await model(runId)
      const points = encode(m, patterns)
      return { points, reconstructions: decode(m, points) }
    },
    decode: async (runId, points) => decode(await model(runId), points),
    testSet: async (runId) => {
      const record = recordOf(runId)
      const testSet = kindOf(record.experiment).testSet
      if (!testSet) throw new Error(`a ${record.experiment.kind} run has no test set to plot`)
      return testSet(await model(runId), record.experiment, datasetsDir)
    },
    dispose: () => {
      for (const m of models.values()) void m.then((x) => x.dispose()).catch(() => undefined)
      models.clear()
    }
  }
}
