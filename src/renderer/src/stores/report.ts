import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ReportSection } from '@shared/report'
import { labClient } from '../api/client'
import { download, dataUrlToBlob } from '../lib/download'
import { useRunsStore } from './runs'
import { useVaeRunsStore } from './vae-runs'
import { useSessionStore } from './session'
import { currentLanguage, i18n } from '../i18n'

export interface ReportChoice {
  runIds: string[]
  sections: ReportSection[]
  title: string
  notes: string
  format: 'html' | 'pdf' | 'csv'
}

/** "Export report...": the session's runs to choose from, and the report saved as a file. */
export const useReportStore = defineStore('report', () => {
  const runs = useRunsStore()
  const vaeRuns = useVaeRunsStore()
  const session = useSessionStore()
  const busy = ref(false)
  const error = ref<string | null>(null)
  /** The file last saved (its name), for the dialog to say so. */
  const saved = ref<string | null>(null)

  const choices = computed(() => [
    ...runs.runs.map((r) => ({
      runId: r.runId,
      label: r.label,
      lab: i18n.global.t(r.config.noise ? 'common.lab.denoising' : 'common.lab.letters')
    })),
    ...vaeRuns.runs.map((r) => ({
      runId: r.runId,
      label: r.label,
      lab: i18n.global.t('common.lab.vae')
    }))
  ])

  async function exportReport(choice: ReportChoice): Promise<boolean> {
    busy.value = true
    error.value = null
    saved.value = null
    try {
      const result = await labClient().request('exportReport', {
        runIds: choice.runIds,
        sections: choice.sections,
        title: choice.title.trim() || undefined,
        notes: choice.notes.trim() || undefined,
        session: session.name ?? i18n.global.t('report.dialog.untitled'),
        format: choice.format,
        // The report is written in the interface's language.
        language: currentLanguage()
      })
      if (result.format === 'html') download(result.fileName, result.html, 'text/html')
      else if (result.format === 'csv') download(result.fileName, result.text, 'text/csv')
      else download(result.fileName, dataUrlToBlob(`data:application/pdf;base64,${result.base64}`))
      saved.value = result.fileName
      return true
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { choices, busy, error, saved, exportReport }
})
