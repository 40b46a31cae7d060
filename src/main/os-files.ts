import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { SESSION_EXTENSION } from '../shared/session'

// Session files handed to the app by the operating system: on Windows and Linux as command-line
// arguments (of this process, or of a second instance that forwards them to this one and quits),
// on macOS through the 'open-file' event. Electron-free; src/main/index.ts wires it.

/** The session files named on a command line (absolute; relative ones against `cwd`). */
export function sessionFilesFromArgv(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(1)
    .filter(
      (arg) => !arg.startsWith('-') && arg.toLowerCase().endsWith(SESSION_EXTENSION.toLowerCase())
    )
    .map((arg) => (isAbsolute(arg) ? arg : resolve(cwd, arg)))
}

/**
 * What a second instance sends the first (Electron's requestSingleInstanceLock additionalData):
 * its files, resolved in its own working directory (argv may be reordered by Chromium).
 */
export const forwardedFilesSchema = z.object({
  files: z.array(z.string().min(1).max(4096).refine(isAbsolute, 'an absolute path')).max(64)
})
export type ForwardedFiles = z.infer<typeof forwardedFilesSchema>

/** The files a second instance asked to open: its additional data if valid, else its argv. */
export function forwardedSessionFiles(
  argv: readonly string[],
  workingDirectory: string,
  additionalData: unknown
): string[] {
  const data = forwardedFilesSchema.safeParse(additionalData)
  if (data.success)
    return data.data.files.filter((f) => f.toLowerCase().endsWith(SESSION_EXTENSION))
  return sessionFilesFromArgv(argv, workingDirectory)
}

/**
 * Holds files until the window can take them (its page has loaded and subscribed), then hands
 * each one over in order.
 */
export class OpenFileQueue {
  private pending: string[] = []
  private deliver: ((path: string) => void) | null = null

  push(path: string): void {
    if (this.deliver) this.deliver(path)
    else this.pending.push(path)
  }

  /** The window is ready: from now on files go straight to `deliver`. */
  ready(deliver: (path: string) => void): void {
    this.deliver = deliver
    const waiting = this.pending
    this.pending = []
    for (const path of waiting) deliver(path)
  }

  /** The window is gone (closed, reloading): hold files again. */
  notReady(): void {
    this.deliver = null
  }
}
