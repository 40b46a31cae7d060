import { summariseImageSets } from '../ml/data/summaries'
import { importedDatasetsRoot, listImported } from '../services/import-data'
import { datasetsDir } from '../services/paths'
import { option } from './args'
import { workspaceOf } from './import-data'

// `lab datasets [--workspace DIR]`: the built-in image sets and the ones imported into the
// workspace, one line each, with what is wrong with any that cannot be used.

export async function listDatasets(args: readonly string[]): Promise<void> {
  const lines: string[] = []
  for (const set of await summariseImageSets(datasetsDir()))
    lines.push(
      set.available
        ? `${set.id}: built in, ${set.train} training + ${set.test} test images, 28x28 grey, ${set.classNames.length} classes`
        : `${set.id}: built in, not available (${set.message})`
    )
  const root = importedDatasetsRoot(workspaceOf(option(args, '--workspace')))
  for (const entry of await listImported(root)) {
    if ('error' in entry) {
      lines.push(`${entry.name}: cannot be used (${entry.error})`)
      continue
    }
    const m = entry.manifest
    lines.push(
      `${m.name}: imported from ${m.source.name} (${m.source.format}), ${m.counts.train} training + ${m.counts.test} test images, ` +
        `${m.size}x${m.size} ${m.channels === 1 ? 'grey' : 'RGB'}, ${m.classes.length} class${m.classes.length === 1 ? '' : 'es'}, sha256 ${m.contentHash.slice(0, 12)}`
    )
  }
  lines.push(`imported data sets are kept in ${root}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}
