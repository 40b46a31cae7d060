import type { SessionView } from '@shared/schemas'

/**
 * The labs, in tab order: the one list the tabs, the ui store and the views (views/index.ts)
 * are derived from (a tab's name is the locale key `common.lab.<id>`). Each id is one the session file saves; the session store's
 * `ui.lab = session.view.lab` fails to compile if the session schema knows a lab missing here.
 */
export const LABS = [
  { id: 'letters' },
  { id: 'denoising' },
  { id: 'vae' }
] as const satisfies readonly { id: SessionView['lab'] }[]

/** A lab's id. */
export type Lab = (typeof LABS)[number]['id']
