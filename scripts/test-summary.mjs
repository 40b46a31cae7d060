#!/usr/bin/env node
// Prints one closing line for the whole suite, from the JSON reports of the unit tests (run on
// the Node running npm, and again on Node 24) and of Playwright:
// "total: N passed, N failed" (and skipped, if any), counting every run.
import { existsSync, readFileSync } from 'node:fs'

const reports = {
  unit: 'test-results/vitest.json',
  'unit on Node 24': 'test-results/vitest-node24.json',
  e2e: 'test-results/e2e.json'
}
const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null)
const missing = Object.values(reports).filter((path) => !existsSync(path))
if (missing.length > 0) {
  process.stderr.write(`test summary: a test report is missing (${missing.join(', ')})\n`)
  process.exit(1)
}
const counts = (report) =>
  report.stats
    ? {
        passed: report.stats.expected ?? 0,
        failed: (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0),
        skipped: report.stats.skipped ?? 0
      }
    : {
        passed: report.numPassedTests,
        failed: report.numFailedTests,
        skipped: report.numPendingTests + report.numTodoTests
      }
const total = { passed: 0, failed: 0, skipped: 0 }
for (const [name, path] of Object.entries(reports)) {
  const { passed, failed, skipped } = counts(read(path))
  total.passed += passed
  total.failed += failed
  total.skipped += skipped
  process.stdout.write(`${name}: ${passed} passed, ${failed} failed\n`)
}
process.stdout.write(
  `total: ${total.passed} passed, ${total.failed} failed` +
    `${total.skipped ? `, ${total.skipped} skipped` : ''}\n`
)
process.exit(total.failed > 0 ? 1 : 0)
