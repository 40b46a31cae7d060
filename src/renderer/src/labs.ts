import type { SessionView } from '@shared/schemas'

/**
 * The labs, in tab order: the one list the tabs, the ui store and the views (views/index.ts)
 * are derived from. Each id is one the session file saves; the session store's
 * `ui.lab = session.view.lab` fails to compile if the session schema knows a lab missing here.
 */
export const LABS = [
  { id: 'letters', label: 'Letters' },
  { id: 'denoising', label: 'Denoising' },
  { id: 'vae', label: 'VAE' }
] as const satisfies readonly { id: SessionView['lab']; label: string }[]

/** A lab's id. */
export type Lab = (typeof LABS)[number]['id']
