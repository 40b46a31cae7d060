import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { EventPayload } from '@shared/contract'
import {
  MAX_STAGE_REQUEST_BYTES,
  MAX_STAGED_BYTES,
  type ImportDoneEvent,
  type ImportPreviewResult,
  type ImportSourceRef
} from '@shared/import-api'
import { importedDatasetNameSchema } from '@shared/imported-dataset'
import { i18n } from '../i18n'
import { labClient } from '../api/client'
import { useVaeStore } from './vae'
import { readEntries, type PickedFile } from '../lib/dropped-files'

export type { PickedFile } from '../lib/dropped-files'
export type ImportPhase =
  'choose' | 'uploading' | 'previewing' | 'ready' | 'importing' | 'done' | 'failed'

/** A file chosen in the page is sent in pieces of at most this many bytes. */
const PIECE = MAX_STAGE_REQUEST_BYTES / 2

/** A data set name from a file or folder's name: what the name field starts with. */
export function suggestName(source: string): string {
  const base = source
    .replace(/\.(csv|npy|npz)$/i, '')
    .replace(/-images-idx3-ubyte$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64)
  return importedDatasetNameSchema.safeParse(base).success ? base : `imported-${base || 'data'}`
}

/** Reads a piece of a file as base64 (the browser encodes it natively). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = String(reader.result)
      resolve(url.slice(url.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('the file cannot be read'))
    reader.readAsDataURL(blob)
  })
}

/**
 * The "Import data set..." dialog: where the images come from (files chosen or dropped in the
 * page and uploaded to the host, or a path from the desktop app's dialog), the preview, the
 * import's progress and its report. On success the VAE lab lists the new set and selects it.
 */
export const useImportDataStore = defineStore('importData', () => {
  const open = ref(false)
  const phase = ref<ImportPhase>('choose')
  const source = shallowRef<ImportSourceRef | null>(null)
  const sourceName = ref('')
  const name = ref('')
  const size = ref(28)
  const channels = ref<1 | 3>(1)
  const uploaded = ref({ files: 0, of: 0 })
  const preview = shallowRef<ImportPreviewResult | null>(null)
  const progress = shallowRef<EventPayload<'importProgress'> | null>(null)
  const report = shallowRef<ImportDoneEvent | null>(null)
  const error = ref<string | null>(null)
  let importId: string | null = null
  let unsubscribe: (() => void)[] = []

  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))
  const staging = (): string | null =>
    source.value && 'staging' in source.value ? source.value.staging : null
  const nameProblem = computed(() => {
    const parsed = importedDatasetNameSchema.safeParse(name.value)
    return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid name')
  })

  function show(): void {
    open.value = true
  }

  /** Forgets the chosen source (its uploaded copy is removed; the user's files are untouched). */
  async function reset(): Promise<void> {
    const id = staging()
    source.value = null
    preview.value = null
    report.value = null
    progress.value = null
    error.value = null
    phase.value = 'choose'
    if (id)
      await labClient()
        .request('discardStaging', { staging: id })
        .catch(() => undefined)
  }

  async function close(): Promise<void> {
    if (phase.value === 'importing' || phase.value === 'uploading') return
    open.value = false
    await reset()
  }

  async function refreshPreview(): Promise<void> {
    if (!source.value) return
    phase.value = 'previewing'
    error.value = null
    try {
      preview.value = await labClient().request('previewImport', {
        source: source.value,
        size: size.value,
        channels: channels.value
      })
      phase.value = 'ready'
    } catch (e) {
      preview.value = null
      error.value = message(e)
      phase.value = 'failed'
    }
  }

  async function useSource(ref: ImportSourceRef, label: string): Promise<void> {
    source.value = ref
    sourceName.value = label
    name.value = suggestName(label)
    await refreshPreview()
  }

  /** Uploads files chosen or dropped in the page (paths inside the chosen folder), then previews. */
  async function uploadFiles(files: readonly PickedFile[]): Promise<void> {
    await reset()
    open.value = true
    if (files.length === 0) {
      error.value = i18n.global.t('importer.emptyFolder')
      phase.value = 'failed'
      return
    }
    const total = files.reduce((n, f) => n + f.file.size, 0)
    if (total > MAX_STAGED_BYTES) {
      error.value = `${files.length} files of ${(total / 1024 ** 3).toFixed(1)} GB: the page can upload at most ${MAX_STAGED_BYTES / 1024 ** 3} GB for one import; use \`lab import-data\` for more`
      phase.value = 'failed'
      return
    }
    phase.value = 'uploading'
    uploaded.value = { files: 0, of: files.length }
    let id: string | null = null
    try {
      let batch: { path: string; data: string; append?: boolean }[] = []
      let bytes = 0
      const send = async (): Promise<void> => {
        if (batch.length === 0) return
        const result = await labClient().request('stageImportFiles', { staging: id, files: batch })
        id = result.staging
        source.value = { staging: id }
        batch = []
        bytes = 0
      }
      for (const { path, file } of files) {
        for (let at = 0; at < Math.max(1, file.size); at += PIECE) {
          const piece = file.slice(at, at + PIECE)
          if (bytes + piece.size > PIECE) await send()
          batch.push({ path, data: await base64Of(piece), ...(at > 0 ? { append: true } : {}) })
          bytes += piece.size
        }
        uploaded.value = { files: uploaded.value.files + 1, of: files.length }
      }
      await send()
    } catch (e) {
      error.value = i18n.global.t('importer.uploadFailed', { message: message(e) })
      phase.value = 'failed'
      return
    }
    const top = new Set(files.map((f) => f.path.split('/')[0]))
    const label = top.size === 1 ? [...top][0]! : 'the dropped files'
    await useSource({ staging: id! }, label)
  }

  /** Electron: the native dialog chooses a folder or a file. */
  async function pick(mode: 'folder' | 'file'): Promise<void> {
    try {
      const picked = await labClient().request('pickImportSource', { mode })
      if (!picked) return
      await reset()
      await useSource(picked.source, picked.name)
    } catch (e) {
      error.value = message(e)
    }
  }

  /** Electron's File menu chose a path. */
  async function fromMenu(token: string, label: string): Promise<void> {
    await reset()
    open.value = true
    await useSource({ token }, label)
  }

  /** A folder or file dropped on the window (its entries, taken in the drop event). */
  async function dropped(entries: readonly FileSystemEntry[]): Promise<void> {
    open.value = true
    let files: PickedFile[]
    try {
      files = await readEntries(entries)
    } catch (e) {
      error.value = i18n.global.t('importer.dropUnreadable', { message: message(e) })
      phase.value = 'failed'
      return
    }
    await uploadFiles(files)
  }

  function stopListening(): void {
    for (const off of unsubscribe) off()
    unsubscribe = []
  }

  async function start(): Promise<void> {
    if (!source.value || nameProblem.value) return
    error.value = null
    report.value = null
    progress.value = null
    phase.value = 'importing'
    importId = null
    const client = labClient()
    // Events can arrive before the answer with the id: kept until it is known.
    const early: { id: string; apply: () => void }[] = []
    const mine = (id: string, apply: () => void): void => {
      if (importId === null) early.push({ id, apply })
      else if (id === importId) apply()
    }
    stopListening()
    unsubscribe = [
      client.on('importProgress', (p) => mine(p.importId, () => (progress.value = p))),
      client.on('importDone', (done) =>
        mine(done.importId, () => {
          stopListening()
          report.value = done
          phase.value = 'done'
          // The data set picker lists it, selected when the VAE can train on it.
          const vae = useVaeStore()
          void vae.loadDatasets().then(() => {
            const found = vae.datasets.find((d) => d.id === done.manifest.name)
            if (found?.available && !vae.busy) vae.config.dataset = found.id
          })
        })
      ),
      client.on('importFailed', (failed) =>
        mine(failed.importId, () => {
          stopListening()
          error.value = failed.message
          phase.value = preview.value ? 'ready' : 'failed'
        })
      )
    ]
    try {
      const started = await client.request('startImport', {
        source: source.value,
        name: name.value,
        size: size.value,
        channels: channels.value
      })
      importId = started.importId
      for (const event of early) if (event.id === importId) event.apply()
    } catch (e) {
      stopListening()
      error.value = message(e)
      phase.value = 'ready'
    }
  }

  async function cancel(): Promise<void> {
    if (phase.value !== 'importing' || importId === null) return
    try {
      await labClient().request('cancelImport', { importId })
    } catch (e) {
      error.value = message(e)
    }
  }

  return {
    open,
    phase,
    source,
    sourceName,
    name,
    size,
    channels,
    uploaded,
    preview,
    progress,
    report,
    error,
    nameProblem,
    show,
    close,
    reset,
    refreshPreview,
    uploadFiles,
    pick,
    fromMenu,
    dropped,
    start,
    cancel
  }
})
