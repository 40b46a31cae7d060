import type { Browser } from 'playwright-core'

// A report as PDF, printed by Chromium: through Playwright in the command line and the browser
// host (Electron prints its own window instead: src/main/report-pdf.ts). The page is loaded
// with every request refused: a report is self-contained, and printing it fetches nothing.

/** The flags Chromium needs here (as root, no GPU) and that keep it off the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export const chromiumPath = (): string => process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Prints an HTML document to PDF bytes (A4 landscape, as the report's print stylesheet asks). */
export async function htmlToPdf(html: string): Promise<Uint8Array> {
  let chromium: typeof import('playwright-core').chromium
  try {
    // Loaded when needed, by a name the bundler leaves alone: Playwright drives a browser and
    // is large; the lab's other commands never load it.
    const name = 'playwright-core'
    ;({ chromium } = (await import(/* @vite-ignore */ name)) as typeof import('playwright-core'))
  } catch {
    throw new Error(
      'printing a PDF needs Playwright (npm package playwright-core) and Chromium; save the HTML report and print it from a browser instead'
    )
  }
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS })
  } catch (error) {
    throw new Error(
      `printing a PDF needs Chromium at ${chromiumPath()} (set CHROMIUM_PATH to use another): ${(error as Error).message.split('\n')[0]}`,
      { cause: error }
    )
  }
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false })
    await context.route('**/*', (route) => route.abort())
    const page = await context.newPage()
    await page.setContent(html, { waitUntil: 'load' })
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    return new Uint8Array(pdf)
  } finally {
    await browser.close()
  }
}
