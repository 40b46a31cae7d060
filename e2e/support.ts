import type { Page } from '@playwright/test'
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
