import { version } from '../../package.json'

/** Versions recorded with every run and shown in the UI (the worker adds tfjs's own). */
export function labVersions(): Record<string, string> {
  const versions: Record<string, string> = { lab: version, node: process.versions.node }
  if (process.versions['electron']) versions['electron'] = process.versions['electron']
  return versions
}
