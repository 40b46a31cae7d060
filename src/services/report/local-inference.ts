import type { RunRecord } from '../../shared/session'
import type { Model } from '../../ml/inference'
import type { ReportInference } from './inference'

// The command line's inference for a report: the runs' networks rebuilt from the session file
// in this process, on first use (the same src/ml inference the app's workers run).

/** Inference in this process on models rebuilt from the runs' saved networks (the CLI). */
export function localInference(
  runs: readonly RunRecord[],
  datasetsDir: string
): ReportInference & { dispose(): Promise<boolean> } {
  const models = new Map<string, Promise<Model>>()
  const recordOf = (runId: string): RunRecord => {
    const run = runs.find((r) => r.id === runId)
    if (!run) throw new Error(`the session has no run ${runId}`)
    return run
  }
  const model = (runId: string): Promise<Model> => {
    let m = models.get(runId)
    if (!m) {
      // TensorFlow.js loads with the first model: a report without figures never waits for it.
      m = import('../../ml/backend')
        .then(({ chooseBackend }) => chooseBackend({}))
        .then(async () => (await import('../experiments')).modelOf(recordOf(runId)))
      models.set(runId, m)
    }
    return m
  }
  const ml = () => import('../../ml/inference')
  return {
    encode: async (runId, patterns) => {
      const m = await model(runId)
      const { encode, decode } = await ml()
      const points = encode(m, patterns)
      return { points, reconstructions: decode(m, points) }
    },
    decode: async (runId, points) => (await ml()).decode(await model(runId), points),
    testSet: async (runId) => {
      const record = recordOf(runId)
      const { kindOf } = await import('../../ml/kinds/registry')
      const testSet = kindOf(record.experiment).testSet
      if (!testSet) throw new Error(`a ${record.experiment.kind} run has no test set to plot`)
      return testSet(await model(runId), record.experiment, datasetsDir)
    },
    /** Frees the models; whether any was loaded (then TensorFlow.js holds the backend's threads). */
    dispose: async () => {
      const loaded = [...models.values()]
      models.clear()
      for (const m of loaded) (await m.catch(() => null))?.dispose()
      return loaded.length > 0
    }
  }
}
