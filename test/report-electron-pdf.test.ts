import { existsSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { BrowserWindow, state } from './fakes/electron'
import { printReportPdf } from '../src/main/report-pdf'

// The desktop app's PDF path (webContents.printToPDF), with Electron stood in by the thin fake:
// what cannot run here is Electron's printing itself; `lab report --pdf` (test/report.test.ts)
// prints the same HTML with Chromium for real.
vi.mock('electron', () => import('./fakes/electron'))

describe('printing a report in Electron', () => {
  it('prints the HTML from a hidden, script-less, offline window and cleans up', async () => {
    const html = '<!doctype html><title>r</title><h1>Report</h1>'
    const pdf = await printReportPdf(html)
    expect(Buffer.from(pdf).toString('latin1')).toMatch(/^%PDF-/)
    const window = BrowserWindow.windows.at(-1)!
    expect(window.options).toMatchObject({
      show: false,
      webPreferences: { javascript: false, sandbox: true, partition: 'report-print' }
    })
    // It printed the very HTML, loaded from a temporary file that is gone afterwards.
    expect(state.loadedFiles.at(-1)!.text).toBe(html)
    expect(state.printed.at(-1)).toEqual({
      file: state.loadedFiles.at(-1)!.path,
      options: { printBackground: true, preferCSSPageSize: true }
    })
    expect(existsSync(state.loadedFiles.at(-1)!.path)).toBe(false)
    expect(window.destroyed).toBe(true)
    // Its session fetches nothing but the file.
    const filter = state.beforeRequest.get('report-print')!
    const answer = (url: string) =>
      new Promise<boolean>((resolve) => filter({ url }, (r) => resolve(r.cancel)))
    expect(await answer('https://example.com/x.png')).toBe(true)
    expect(await answer('file:///tmp/lab-report.html')).toBe(false)
  })
})
