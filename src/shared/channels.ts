// The names of the lab API, free of any dependency so the sandboxed preload can import them.
// contract.ts gives each name its schema; the compiler checks that the two lists agree.

export const requestNames = [
  'getInfo',
  'listFonts',
  'listDatasets',
  'startRun',
  'stopRun',
  'pauseRun',
  'resumeRun',
  'decodeLatent',
  'encodePatterns',
  'vaeTestSet',
  'latentAnalysis',
  'datasetImages',
  'listSessions',
  'saveSession',
  'openSession',
  'importSession',
  'rememberView',
  'recoveryInfo',
  'recoverSession',
  'discardRecovery',
  'pickSessionPath',
  'pickImportSource',
  'stageImportFiles',
  'discardStaging',
  'previewImport',
  'startImport',
  'cancelImport',
  'exportReport'
] as const

export const eventNames = [
  'runProgress',
  'runDone',
  'runFailed',
  'menuCommand',
  'autosaveFailed',
  'importProgress',
  'importDone',
  'importFailed'
] as const

export type RequestName = (typeof requestNames)[number]
export type EventName = (typeof eventNames)[number]

/** Electron IPC channel names, derived from the lists above. */
export const requestChannel = (name: RequestName): string => `lab:request:${name}`
export const eventChannel = (name: EventName): string => `lab:event:${name}`

/** `runProgress` -> `onRunProgress`: the preload's name for an event subscription. */
export type EventListenerName<K extends EventName> = `on${Capitalize<K>}`
export const eventListenerName = <K extends EventName>(name: K): EventListenerName<K> =>
  `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as EventListenerName<K>
