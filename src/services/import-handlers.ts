import type { Handlers } from './lab-service'
import type { ImportService } from './import-data/app'
import { LabNotFoundError } from './worker-link'

// The requests of the "Import data set..." dialog, over the import service of the host's
// workspace (import-data/app.ts). A host without one (a handler set made for a test) answers
// that it imports nothing.

export type ImportRequest =
  | 'pickImportSource'
  | 'stageImportFiles'
  | 'discardStaging'
  | 'previewImport'
  | 'startImport'
  | 'cancelImport'

export function importHandlers(
  imports: ImportService | undefined,
  pickImportPath?: (mode: 'folder' | 'file') => Promise<string | null>
): Pick<Handlers, ImportRequest> {
  const service = (): ImportService => {
    if (!imports) throw new LabNotFoundError('this lab has no workspace to import data sets into')
    return imports
  }
  return {
    pickImportSource: async ({ mode }) => {
      if (!pickImportPath)
        throw new LabNotFoundError(
          'file dialogs exist only in the desktop app; choose or drop the files in the page'
        )
      const path = await pickImportPath(mode)
      return path ? service().grant(path) : null
    },
    stageImportFiles: (input) => service().stage(input),
    discardStaging: async ({ staging }) => ({ ok: await service().discard(staging) }),
    previewImport: (input) => service().preview(input),
    startImport: (input) => service().start(input),
    cancelImport: async ({ importId }) => ({ ok: service().cancel(importId) })
  }
}
