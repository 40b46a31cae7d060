import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrowserWindow, session } from 'electron'

// The desktop app prints a report to PDF with its own Chromium (webContents.printToPDF), in a
// hidden window of its own session: no script, no network (every request is cancelled; a
// report is self-contained), not the app's page policy (the report carries its own).

const PARTITION = 'report-print'

export async function printReportPdf(html: string): Promise<Uint8Array> {
  const printing = session.fromPartition(PARTITION)
  printing.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !details.url.startsWith('file:') })
  )
  // A file, not a data: URL: a report with many figures is larger than a URL may be.
  const file = join(tmpdir(), `lab-report-${randomBytes(6).toString('hex')}.html`)
  await writeFile(file, html)
  const window = new BrowserWindow({
    show: false,
    webPreferences: { partition: PARTITION, javascript: false, sandbox: true }
  })
  try {
    await window.loadFile(file)
    const pdf = await window.webContents.printToPDF({
      printBackground: true,
      preferCSSPageSize: true
    })
    return new Uint8Array(pdf)
  } finally {
    window.destroy()
    await rm(file, { force: true })
  }
}
