import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ImportService } from '../src/services/import-data/app'
import { importHandlers } from '../src/services/import-handlers'
import { dispatch, type Handlers } from '../src/services/lab-service'
import { importedDatasetsRoot } from '../src/ml/data/imported'
import type {
  EventName,
  EventPayload,
  LabError,
  RequestName,
  RequestOutput
} from '../src/shared/contract'
import { removeScratch, scratch, writeImageFolder } from './import-files'

// The app's import ("Import data set..."), through the same dispatch as both hosts: files
// uploaded into a staging folder (base64 pieces, validated by the contract's one schema), a
// preview with class counts, the split and a grid, then the import with progress events and
// its report; a cancelled import leaves nothing in the workspace, and a bad upload is refused
// with a message naming it.

type Event = { name: EventName; payload: unknown }
/** An envelope, read loosely: `result` when ok, `error` when not. */
type Reply<K extends RequestName> = { ok: boolean; result: RequestOutput<K>; error: LabError }

function setup(stagingLimits?: { bytes: number; files: number }): {
  workspace: string
  events: Event[]
  service: ImportService
  call: <K extends RequestName>(name: K, input: unknown) => Promise<Reply<K>>
} {
  const workspace = scratch('lab-import-app-')
  const events: Event[] = []
  const service = new ImportService({
    workspace,
    emit: <K extends EventName>(name: K, payload: EventPayload<K>) =>
      events.push({ name, payload }),
    stagingLimits
  })
  const handlers = importHandlers(service) as unknown as Handlers
  return {
    workspace,
    events,
    service,
    call: async <K extends RequestName>(name: K, input: unknown) =>
      (await dispatch(handlers, name, input)) as unknown as Reply<K>
  }
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
}

/** Uploads a folder the way the page does: its files with paths inside it, base64. */
async function upload(
  call: ReturnType<typeof setup>['call'],
  dir: string,
  top: string
): Promise<string> {
  const files = filesUnder(dir).map((path) => ({
    path: `${top}/${path.split('\\').join('/')}`,
    data: readFileSync(join(dir, path)).toString('base64')
  }))
  let staging: string | null = null
  for (let i = 0; i < files.length; i += 100) {
    const reply: Reply<'stageImportFiles'> = await call('stageImportFiles', {
      staging,
      files: files.slice(i, i + 100)
    })
    expect(reply.ok, JSON.stringify(reply.error)).toBe(true)
    staging = reply.result.staging
  }
  expect(staging).not.toBeNull()
  return staging as string
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setImmediate(r))
}

afterAll(removeScratch)

describe('importing from the app', () => {
  it('uploads a folder, previews it and imports it with progress and a report', async () => {
    const { workspace, events, service, call } = setup()
    const dir = scratch()
    await writeImageFolder(dir, [40, 30, 20], { names: ['circle', 'square', 'star'] })
    const staging = await upload(call, dir, 'shapes')

    const preview = await call('previewImport', { source: { staging } })
    expect(preview.ok, preview.error?.message).toBe(true)
    expect(preview.result.sourceName).toBe('shapes')
    expect(preview.result.split).toBe('seeded')
    expect(preview.result.classes).toEqual([
      { name: 'circle', count: 40, train: 34, test: 6 },
      { name: 'square', count: 30, train: 25, test: 5 },
      { name: 'star', count: 20, train: 17, test: 3 }
    ])
    expect(preview.result.gridClasses).toBe(3)
    // The grid is a PNG.
    expect(Buffer.from(preview.result.grid, 'base64').subarray(1, 4).toString()).toBe('PNG')

    const started = await call('startImport', { source: { staging }, name: 'shapes' })
    expect(started.ok).toBe(true)
    const { importId } = started.result
    await until(() => events.some((e) => e.name === 'importDone' || e.name === 'importFailed'))
    const done = events.find((e) => e.name === 'importDone')?.payload as EventPayload<'importDone'>
    expect(done.importId).toBe(importId)
    expect(done.manifest.counts).toMatchObject({ train: 76, test: 14 })
    expect(done.manifest.classes).toEqual(['circle', 'square', 'star'])
    expect(events.some((e) => e.name === 'importProgress')).toBe(true)
    // The preview's split is the import's.
    expect(done.manifest.counts.trainPerClass).toEqual([34, 25, 17])
    // The uploaded copy is gone once imported; the set is in the workspace.
    expect(filesUnder(join(workspace, '.import-staging'))).toEqual([])
    expect(existsSync(join(importedDatasetsRoot(workspace), 'shapes', 'dataset.json'))).toBe(true)

    // The same name again is refused at once, naming it.
    const again = await call('startImport', { source: { staging }, name: 'shapes' })
    expect(again.ok).toBe(false)
    await service.close()
  }, 60_000)

  it('a cancelled import leaves nothing in the workspace, and the upload stays for a retry', async () => {
    const { workspace, events, service, call } = setup()
    const dir = scratch()
    await writeImageFolder(dir, [300, 300], { names: ['a', 'b'] })
    const staging = await upload(call, dir, 'many')
    const started = await call('startImport', { source: { staging }, name: 'many' })
    const { importId } = started.result
    // Cancelled while decoding, after the first progress report.
    await until(() =>
      events.some(
        (e) => e.name === 'importProgress' && (e.payload as { phase: string }).phase === 'decoding'
      )
    )
    expect((await call('cancelImport', { importId })).result).toEqual({ ok: true })
    await until(() => events.some((e) => e.name === 'importFailed' || e.name === 'importDone'))
    const failed = events.find((e) => e.name === 'importFailed')?.payload
    expect(failed).toEqual({
      importId,
      cancelled: true,
      message: 'import cancelled: nothing was saved'
    })
    // No set, and no hidden half-written one.
    const root = importedDatasetsRoot(workspace)
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([])
    // Nothing the user made is lost: the upload is still there for another try.
    expect(filesUnder(join(workspace, '.import-staging')).length).toBe(600)
    expect((await call('discardStaging', { staging })).result).toEqual({ ok: true })
    expect(filesUnder(join(workspace, '.import-staging'))).toEqual([])
    await service.close()
  }, 60_000)

  it('refuses paths that leave the upload, and names a file that cannot be imported', async () => {
    const { call, service } = setup()
    const data = Buffer.from('x').toString('base64')
    for (const path of ['../evil.png', 'a/../../b.png', '/etc/passwd', 'c:\\x.png', 'a//b.png']) {
      const reply = await call('stageImportFiles', { staging: null, files: [{ path, data }] })
      expect(reply.ok, path).toBe(false)
      expect(reply.error.code).toBe('invalid-input')
    }
    const notBase64 = await call('stageImportFiles', {
      staging: null,
      files: [{ path: 'a.png', data: '%%%' }]
    })
    expect(notBase64.error.message).toMatch(/files\.0\.data/)

    const staging = (
      await call('stageImportFiles', {
        staging: null,
        files: [{ path: 'notes.txt', data }]
      })
    ).result.staging
    const preview = await call('previewImport', { source: { staging } })
    expect(preview.ok).toBe(false)
    expect(preview.error.message).toMatch(/notes\.txt: not a format the lab imports/)
    const expired = await call('previewImport', { source: { token: 'f'.repeat(32) } })
    expect(expired.error.message).toMatch(/expired/)
    await service.close()
  })

  it("refuses an upload over the app's limit with a message that says what to do", async () => {
    // The app's limit (1 GB, 200,000 files), lowered: three files and 1 MB.
    const { call, service } = setup({ bytes: 1 << 20, files: 3 })
    const data = Buffer.from('x').toString('base64')
    const files = (from: number, count: number): { path: string; data: string }[] =>
      Array.from({ length: count }, (_, i) => ({ path: `set/a/${from + i}.png`, data }))
    const first = await call('stageImportFiles', { staging: null, files: files(0, 3) })
    expect(first.ok).toBe(true)
    const over = await call('stageImportFiles', {
      staging: first.result.staging,
      files: files(3, 1)
    })
    expect(over.ok).toBe(false)
    expect(over.error.message).toBe(
      "this upload is over the app's limit for one import, 3 files and 1 MB (uploaded files are copied into the workspace first; the limit protects its disk); import larger sets with `lab import-data <folder>`, which reads them in place and has no such limit"
    )
    const big = Buffer.alloc((1 << 20) + 1).toString('base64')
    const tooBig = await call('stageImportFiles', {
      staging: null,
      files: [{ path: 'set/a/big.png', data: big }]
    })
    expect(tooBig.error.message).toMatch(/over the app's limit for one import/)
    await service.close()
  })
})
