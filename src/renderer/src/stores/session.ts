import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { SessionView } from '@shared/schemas'
import { kindFamily } from '@shared/experiments'
import { MAX_SESSION_BYTES, type OpenedSessionPayload } from '@shared/session'
import { labClient } from '../api/client'
import { useRunsStore } from './runs'
import { useCustomSetStore } from './custom-set'
import { useCharacterSetsStore } from './character-sets'
import { useExplorerStore } from './explorer'
import { useNoiseStore } from './noise'
import { useVaeStore } from './vae'
import { useVaeRunsStore } from './vae-runs'
import { toLettersRun, toVaeRun } from './session-runs'
import { useUiStore } from './ui'
import { i18n } from '../i18n'

type Target = { name: string } | { token: string }

/**
 * The experiment session: its name, whether it has unsaved changes, and saving, opening,
 * importing and recovering it. Gathers the view from the lab stores and puts it back.
 */
export const useSessionStore = defineStore('session', () => {
  const runs = useRunsStore()
  const customSet = useCustomSetStore()
  const charSets = useCharacterSetsStore()
  const explorer = useExplorerStore()
  const noise = useNoiseStore()
  const vae = useVaeStore()
  const vaeRuns = useVaeRunsStore()
  const ui = useUiStore()

  const name = ref<string | null>(null)
  const target = ref<Target | null>(null)
  const dirty = ref(false)
  const busy = ref(false)
  const error = ref<string | null>(null)
  const notice = ref<string | null>(null)
  const recovery = ref<{ savedAt: string; runs: number } | null>(null)
  const t = i18n.global.t
  const title = computed(
    () =>
      `${name.value ?? t('session.untitled')}${dirty.value ? ' •' : ''} — ${t('common.appName')}`
  )
  let applying = false

  function view(): SessionView {
    return {
      lab: ui.lab,
      selectedRunId: runs.selectedId,
      compared: [...runs.compared, ...vaeRuns.compared],
      letters: {
        gridSize: explorer.gridSize,
        dims: [explorer.dims[0], explorer.dims[1]],
        probe: explorer.probe ? [...explorer.probe.point] : null,
        interpolation: { ...explorer.interpolation },
        drawing: explorer.drawing.pixels.some((p) => p >= 0.5) ? [...explorer.drawing.pixels] : null
      },
      noise: { ...noise.settings },
      vae: {
        runId: vae.trained ? vae.runId : null,
        gridSize: vae.gridSize,
        spacing: vae.gridSpacing,
        waypoints: vae.waypoints.map((w) => [...w]),
        pathSteps: vae.pathSteps,
        probe: vae.probe ? [...vae.probe.point] : null
      }
    }
  }

  const plainGlyphs = () =>
    customSet.glyphs.map((g) => ({ char: g.char, code: g.code, pixels: [...g.pixels] }))
  const runIds = (): string[] => [
    ...runs.runs.map((r) => r.runId),
    ...vaeRuns.runs.map((r) => r.runId)
  ]

  async function run<T>(work: () => Promise<T>): Promise<T | null> {
    busy.value = true
    error.value = null
    try {
      return await work()
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return null
    } finally {
      busy.value = false
    }
  }

  async function saveTo(next: Target): Promise<boolean> {
    const saved = await run(() =>
      labClient().request('saveSession', {
        target: next,
        runIds: runIds(),
        view: view(),
        customGlyphs: plainGlyphs(),
        characterSets: charSets.plain()
      })
    )
    if (!saved) return false
    name.value = saved.name
    target.value = next
    dirty.value = false
    recovery.value = null
    notice.value = t('session.saved', { name: saved.name })
    return true
  }

  /** Save: to the session's own file, or ask for one. */
  async function save(askName: () => Promise<Target | null>): Promise<boolean> {
    const next = target.value ?? (await askName())
    return next ? saveTo(next) : false
  }

  async function apply(opened: OpenedSessionPayload): Promise<void> {
    applying = true
    try {
      const { session } = opened
      runs.clear()
      vae.reset()
      explorer.restoreDrawing(null)
      customSet.glyphs = session.customGlyphs
      charSets.sets = session.characterSets
      for (const r of session.runs)
        if (kindFamily[r.experiment.kind] === 'glyphs') runs.add(toLettersRun(r))
      // A session without a saved view (written by the CLI) shows every run.
      const compared = session.view.compared.filter((id) => runs.runs.some((r) => r.runId === id))
      if (compared.length > 0) runs.compared = compared
      if (
        session.view.selectedRunId &&
        runs.runs.some((r) => r.runId === session.view.selectedRunId)
      )
        runs.selectedId = session.view.selectedRunId
      explorer.gridSize = session.view.letters.gridSize
      explorer.dims = [...session.view.letters.dims]
      explorer.interpolation = { ...session.view.letters.interpolation }
      if (session.view.noise) noise.settings = { ...session.view.noise }
      ui.lab = session.view.lab
      for (const r of session.runs)
        if (kindFamily[r.experiment.kind] === 'images') vaeRuns.add(toVaeRun(r))
      vaeRuns.compared = session.view.compared.filter((id) =>
        vaeRuns.runs.some((r) => r.runId === id)
      )
      if (session.view.compared.length === 0) vaeRuns.compared = vaeRuns.runs.map((r) => r.runId)
      const shown =
        vaeRuns.runs.find((r) => r.runId === session.view.vae.runId) ?? vaeRuns.runs.at(-1)
      if (shown) await vae.show(shown, session.view.vae)
      const drawing = session.view.letters.drawing
      if (drawing) explorer.restoreDrawing(drawing)
      const probe = session.view.letters.probe
      if (probe && runs.selected)
        await explorer.probeAt(probe[explorer.dims[0]] ?? 0, probe[explorer.dims[1]] ?? 0)
      name.value = opened.name
      dirty.value = false
    } finally {
      applying = false
    }
  }

  /** What the lab says about an opened session's data (an imported set missing or changed). */
  const withNotices = (text: string, notices: readonly string[]): string =>
    [text, ...notices].join('. ')

  async function open(next: Target): Promise<boolean> {
    const opened = await run(() => labClient().request('openSession', { target: next }))
    if (!opened) return false
    await apply(opened)
    target.value = next
    notice.value = withNotices(t('session.opened', { name: opened.name }), opened.notices)
    return true
  }

  async function importFile(file: File): Promise<boolean> {
    // Refused before reading it: nothing is sent.
    if (file.size > MAX_SESSION_BYTES) {
      error.value = t('session.tooBig', {
        file: file.name,
        size: Math.round(file.size / 2 ** 20),
        max: MAX_SESSION_BYTES / 2 ** 20
      })
      return false
    }
    const opened = await run(async () =>
      labClient().request('importSession', { fileName: file.name, text: await file.text() })
    )
    if (!opened) return false
    await apply(opened)
    // A dropped file has no place in the workspace yet: Save asks where.
    target.value = null
    dirty.value = true
    notice.value = withNotices(t('session.openedDropped', { name: opened.name }), opened.notices)
    return true
  }

  function reset(): void {
    runs.clear()
    vae.reset()
    explorer.restoreDrawing(null)
    customSet.glyphs = []
    charSets.sets = []
    name.value = null
    target.value = null
    dirty.value = false
    notice.value = null
    error.value = null
  }

  async function checkRecovery(): Promise<void> {
    recovery.value = await labClient()
      .request('recoveryInfo', undefined)
      .catch(() => null)
  }

  async function recover(): Promise<void> {
    const opened = await run(() => labClient().request('recoverSession', undefined))
    if (!opened) return
    await apply(opened)
    name.value = null
    target.value = null
    dirty.value = true
    recovery.value = null
    notice.value = withNotices(
      t('session.recovered', { runs: opened.session.runs.length }, opened.session.runs.length),
      opened.notices
    )
  }

  /** Shows failed autosaves (e.g. a full disk): until one works, a crash would lose runs. */
  function watchAutosave(): () => void {
    return labClient().on('autosaveFailed', ({ message }) => {
      error.value = message
    })
  }

  async function discardRecovery(): Promise<void> {
    await run(() => labClient().request('discardRecovery', undefined))
    recovery.value = null
  }

  // Anything that changes what would be saved makes the session dirty, and the host keeps the
  // latest view for autosave.
  watch(
    () => [
      runs.runs.length,
      customSet.glyphs.length,
      vaeRuns.runs.length,
      runs.compared.length,
      vaeRuns.compared.length,
      charSets.sets.map((s) => s.name).join('\n')
    ],
    () => {
      if (applying) return
      dirty.value = true
      // These changes are rare (a run finishes or is removed, a glyph is added): no debounce.
      void labClient()
        .request('rememberView', {
          view: view(),
          customGlyphs: plainGlyphs(),
          characterSets: charSets.plain()
        })
        .catch(() => undefined)
    },
    // Synchronous: changes made while a session is being applied must not count as edits.
    { flush: 'sync' }
  )
  watch(
    title,
    (t) => {
      if (typeof document !== 'undefined') document.title = t
    },
    { immediate: true }
  )

  return {
    name,
    target,
    dirty,
    busy,
    error,
    notice,
    recovery,
    title,
    view,
    save,
    saveTo,
    open,
    importFile,
    reset,
    checkRecovery,
    watchAutosave,
    recover,
    discardRecovery,
    apply
  }
})
