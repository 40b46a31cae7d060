import { defineStore } from 'pinia'
import type { EventPayload } from '@shared/contract'
import { labClient } from '../api/client'

export type SessionTarget = { name: string } | { token: string }
export type MenuCommand = EventPayload<'menuCommand'>
export interface WorkspaceFile {
  name: string
  modified: string
  bytes: number
}

/**
 * Where sessions are kept: the workspace's session files (browser host), the native file
 * dialogs and the File menu (Electron). The session bar's only way to the lab.
 */
export const useSessionFilesStore = defineStore('sessionFiles', () => {
  /** The sessions saved in the workspace. */
  async function list(): Promise<WorkspaceFile[]> {
    return labClient().request('listSessions', undefined)
  }

  /** Electron's native dialog: the chosen file as a token, or null if cancelled. */
  async function pick(
    mode: 'open' | 'save',
    suggestedName?: string
  ): Promise<SessionTarget | null> {
    const picked = await labClient().request('pickSessionPath', {
      mode,
      ...(suggestedName === undefined ? {} : { suggestedName })
    })
    return picked ? { token: picked.token } : null
  }

  /** Electron's File menu; returns the unsubscribe. */
  function onMenuCommand(handler: (command: MenuCommand) => void): () => void {
    return labClient().on('menuCommand', handler)
  }

  return { list, pick, onMenuCommand }
})
