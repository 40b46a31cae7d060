import { checkImportedSet } from '../ml/data/datasets'
import { importedDatasetsRoot } from '../ml/data/imported'
import { isBuiltInDataset } from '../shared/schemas'
import type { Session } from '../shared/session'

// What an opened session's user is told about the data its runs were trained on.

/**
 * Each run trained on an imported data set that is now missing or changed, said once per set.
 * Any kind whose experiment names a `dataset` (an image model) is checked; no kind is named.
 */
export async function dataNotices(workspace: string, runs: Session['runs']): Promise<string[]> {
  const root = importedDatasetsRoot(workspace)
  const notices = new Map<string, string>()
  for (const run of runs) {
    const experiment = run.experiment
    if (!('dataset' in experiment) || isBuiltInDataset(experiment.dataset)) continue
    const { dataset, datasetHash } = experiment
    const key = `${dataset}\u0000${datasetHash ?? ''}`
    if (notices.has(key)) continue
    const problem = await checkImportedSet(root, dataset, datasetHash)
    if (problem !== null) notices.set(key, `${experiment.name ?? run.id}: ${problem}`)
  }
  return [...notices.values()]
}
