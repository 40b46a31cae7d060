#!/usr/bin/env node
// Prints one closing line for the whole suite, from the vitest and Playwright JSON reports:
// "total: N passed, N failed" (and skipped, if any).
import { existsSync, readFileSync } from 'node:fs'

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null)
const unit = read('test-results/vitest.json')
const e2e = read('test-results/e2e.json')
if (!unit || !e2e) {
  process.stderr.write(
    'test summary: a test report is missing (test-results/vitest.json, test-results/e2e.json)\n'
  )
  process.exit(1)
}
const passed = unit.numPassedTests + (e2e.stats?.expected ?? 0)
const failed = unit.numFailedTests + (e2e.stats?.unexpected ?? 0) + (e2e.stats?.flaky ?? 0)
const skipped = unit.numPendingTests + unit.numTodoTests + (e2e.stats?.skipped ?? 0)
process.stdout.write(`unit: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed\n`)
process.stdout.write(
  `e2e: ${e2e.stats?.expected ?? 0} passed, ${e2e.stats?.unexpected ?? 0} failed\n`
)
process.stdout.write(
  `total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`
)
process.exit(failed > 0 ? 1 : 0)
