import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { EventName, EventPayload, RequestInput, RequestOutput } from '../../shared/contract'
import {
  MAX_STAGED_BYTES,
  MAX_STAGED_FILES,
  MAX_STAGE_REQUEST_BYTES,
  type ImportSourceRef
} from '../../shared/import-api'
import { importedDatasetsRoot } from '../../ml/data/imported'
import { LabBusyError, LabNotFoundError } from '../worker-link'
import { importDataset } from './index'
import { previewGrid, previewImport } from './preview'

// The app's imports ("Import data set..."): what the page chose (a path a native dialog granted
// as a token, or files it uploaded into a staging folder), a preview, then one import at a time
// run here, off the page, with progress events, cancellable. A cancelled or failed import leaves
// nothing in the workspace's data sets (store.ts writes a set atomically); uploaded files stay
// staged until the import succeeds or the page discards them, so a retry needs no new upload.

type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void

/** Classes shown in a preview's grid, and images per class. */
const GRID_CLASSES = 32
const GRID_COLUMNS = 8
/** Staging folders older than this are left over from a host that ended: removed at start. */
const STALE_MS = 24 * 3600 * 1000

export interface ImportServiceOptions {
  workspace: string
  emit: Emit
  /** What one upload may hold (MAX_STAGED_BYTES, MAX_STAGED_FILES unless given; tests). */
  stagingLimits?: { bytes: number; files: number }
}

interface Staging {
  dir: string
  files: number
  bytes: number
}

export class ImportService {
  private readonly grants = new Map<string, string>()
  private readonly stagings = new Map<string, Staging>()
  private readonly stagingRoot: string
  private readonly datasetsRoot: string
  private running: {
    importId: string
    controller: AbortController
    done: Promise<void>
    staging: string | null
  } | null = null

  constructor(private readonly options: ImportServiceOptions) {
    this.stagingRoot = join(options.workspace, '.import-staging')
    this.datasetsRoot = importedDatasetsRoot(options.workspace)
    void this.removeStale()
  }

  /** A path the user chose in a native dialog, as a token for the page. */
  grant(path: string): { source: { token: string }; name: string } {
    const token = randomBytes(16).toString('hex')
    this.grants.set(token, path)
    return { source: { token }, name: basename(path) }
  }

  /** Writes uploaded files into a staging folder (made for the first request). */
  async stage(input: RequestInput<'stageImportFiles'>): Promise<RequestOutput<'stageImportFiles'>> {
    let id = input.staging
    let staging: Staging
    if (id === null) {
      id = randomBytes(12).toString('hex')
      staging = { dir: join(this.stagingRoot, id), files: 0, bytes: 0 }
      await mkdir(staging.dir, { recursive: true })
      this.stagings.set(id, staging)
    } else {
      const found = this.stagings.get(id)
      if (!found)
        throw new LabNotFoundError(
          'those uploaded files are gone (the lab restarted?); choose them again'
        )
      staging = found
    }
    const decoded = input.files.map((f) => ({
      path: f.path,
      append: f.append === true,
      data: Buffer.from(f.data, 'base64')
    }))
    if (decoded.reduce((n, f) => n + f.data.length, 0) > MAX_STAGE_REQUEST_BYTES)
      throw new Error(`one request may bring at most ${MAX_STAGE_REQUEST_BYTES >> 20} MB of files`)
    const bytes = decoded.reduce((n, f) => n + f.data.length, 0)
    const files = staging.files + decoded.filter((f) => !f.append).length
    // Uploaded files are copied into the workspace before they are imported: the limit keeps
    // one upload from filling its disk. The command line reads a folder in place, unlimited.
    const limits = this.options.stagingLimits ?? {
      bytes: MAX_STAGED_BYTES,
      files: MAX_STAGED_FILES
    }
    if (staging.bytes + bytes > limits.bytes || files > limits.files)
      throw new LabBusyError(
        `this upload is over the app's limit for one import, ${limits.files.toLocaleString('en-US')} files and ${formatBytes(limits.bytes)} (uploaded files are copied into the workspace first; the limit protects its disk); import larger sets with \`lab import-data <folder>\`, which reads them in place and has no such limit`
      )
    for (const file of decoded) {
      const target = resolve(staging.dir, ...file.path.split('/'))
      if (!target.startsWith(staging.dir + sep))
        throw new Error(`${file.path}: not a relative path`)
      await mkdir(dirname(target), { recursive: true })
      if (file.append) await appendFile(target, file.data)
      else await writeFile(target, file.data)
    }
    staging.files += decoded.filter((f) => !f.append).length
    staging.bytes += bytes
    return { staging: id, files: staging.files, bytes: staging.bytes }
  }

  /** Removes uploaded files (not while they are being imported). */
  async discard(staging: string): Promise<boolean> {
    if (this.running?.staging === staging) return false
    return this.removeStaging(staging)
  }

  private async removeStaging(staging: string): Promise<boolean> {
    const found = this.stagings.get(staging)
    if (!found) return false
    this.stagings.delete(staging)
    await rm(found.dir, { recursive: true, force: true })
    return true
  }

  /** The file or folder a source names: a granted path, or what was uploaded. */
  private async pathOf(source: ImportSourceRef): Promise<string> {
    if ('token' in source) {
      const path = this.grants.get(source.token)
      if (!path)
        throw new LabNotFoundError('that choice has expired; choose the folder or file again')
      return path
    }
    const staging = this.stagings.get(source.staging)
    if (!staging)
      throw new LabNotFoundError(
        'those uploaded files are gone (the lab restarted?); choose them again'
      )
    // One folder or file uploaded: that is the source; several: the staging folder holds them.
    const entries = (await readdir(staging.dir)).filter((name) => !name.startsWith('.'))
    return entries.length === 1 ? join(staging.dir, entries[0]!) : staging.dir
  }

  async preview(input: RequestInput<'previewImport'>): Promise<RequestOutput<'previewImport'>> {
    const path = await this.pathOf(input.source)
    const preview = await previewImport({
      source: path,
      size: input.size,
      channels: input.channels,
      perClass: GRID_COLUMNS
    })
    const shown = { ...preview, classes: preview.classes.slice(0, GRID_CLASSES) }
    const grid = await previewGrid(shown, GRID_COLUMNS)
    return {
      format: preview.format,
      sourceName:
        'staging' in input.source ? this.uploadName(path, input.source.staging) : basename(path),
      size: preview.target.size,
      channels: preview.target.channels,
      classes: preview.classes.map(({ name, count, train, test }) => ({
        name,
        count,
        train,
        test
      })),
      split: preview.split,
      grid: grid.toString('base64'),
      gridClasses: shown.classes.length,
      gridColumns: GRID_COLUMNS,
      skipped: preview.skipped
    }
  }

  private uploadName(path: string, staging: string): string {
    return path === this.stagings.get(staging)?.dir ? 'the dropped files' : basename(path)
  }

  /** Starts an import; its events say how it goes. One at a time. */
  async start(input: RequestInput<'startImport'>): Promise<RequestOutput<'startImport'>> {
    if (this.running)
      throw new LabBusyError('another import is under way; wait for it or cancel it first')
    const source = await this.pathOf(input.source)
    if (!input.replace && existsSync(join(this.datasetsRoot, input.name)))
      throw new Error(
        `a data set named "${input.name}" is already in this workspace; choose another name`
      )
    const importId = randomBytes(8).toString('hex')
    const controller = new AbortController()
    const { emit } = this.options
    const staging = 'staging' in input.source ? input.source.staging : null
    const work = importDataset({
      source,
      datasetsRoot: this.datasetsRoot,
      name: input.name,
      size: input.size,
      channels: input.channels,
      replace: input.replace,
      signal: controller.signal,
      onProgress: (p) => emit('importProgress', { importId, ...p })
    })
    const finish = (): void => {
      if (this.running?.importId === importId) this.running = null
    }
    const done = work.then(
      async (report) => {
        finish()
        if (staging) await this.removeStaging(staging).catch(() => false)
        emit('importDone', {
          importId,
          manifest: report.manifest,
          skipped: report.skipped,
          seconds: report.seconds
        })
      },
      (error: unknown) => {
        finish()
        const cancelled = controller.signal.aborted
        emit('importFailed', {
          importId,
          cancelled,
          message: cancelled
            ? 'import cancelled: nothing was saved'
            : error instanceof Error
              ? error.message
              : String(error)
        })
      }
    )
    this.running = { importId, controller, done, staging }
    return { importId }
  }

  cancel(importId: string): boolean {
    if (this.running?.importId !== importId) return false
    this.running.controller.abort(new Error('import cancelled'))
    return true
  }

  /** Cancels an import under way and removes every staging folder of this host. */
  async close(): Promise<void> {
    if (this.running) {
      this.running.controller.abort(new Error('the lab is closing'))
      await this.running.done
    }
    await Promise.all([...this.stagings.keys()].map((id) => this.removeStaging(id)))
  }

  private async removeStale(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.stagingRoot)
    } catch {
      return
    }
    for (const name of names) {
      const dir = join(this.stagingRoot, name)
      const info = await stat(dir).catch(() => null)
      if (info && Date.now() - info.mtimeMs > STALE_MS)
        await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    }
  }
}

const formatBytes = (bytes: number): string =>
  bytes >= 1024 ** 3
    ? `${+(bytes / 1024 ** 3).toFixed(1)} GB`
    : `${+(bytes / 1024 ** 2).toFixed(1)} MB`
