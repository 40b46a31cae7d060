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
