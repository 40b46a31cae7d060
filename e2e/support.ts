import type { Browser, BrowserContext, Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The e2e folder, and where the walks leave their screenshots and files. */
export const e2eDir = dirname(fileURLToPath(import.meta.url))
export const artifacts = join(e2eDir, '.artifacts')
mkdirSync(artifacts, { recursive: true })

/** Collects uncaught page errors and console errors; a walk ends by expecting none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  return problems
}

/**
 * Opens a written report from disk in a fresh context where every request but the file itself is
 * refused and counted: a report that opens offline leaves `requests` empty.
 */
export async function openReportOffline(
  browser: Browser,
  file: string
): Promise<{ context: BrowserContext; report: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const requests: string[] = []
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith('file:')) return route.continue()
    requests.push(url)
    return route.abort()
  })
  const report = await context.newPage()
  await report.goto(`file://${file}`)
  return { context, report, requests }
}
