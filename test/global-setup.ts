import { resolve } from 'node:path'
import { rebuildIfStale } from './build-staleness'

// Host and worker tests run the built worker and renderer (as the app does): build them when this
// checkout has not been built yet, or when a source is newer than the build (an edit since).
export default function setup(): void {
  rebuildIfStale(resolve(import.meta.dirname, '..'))
}
