import { resolve } from 'node:path'
import { defineConfig } from '@playwright/test'
import { rebuildIfStale } from '../test/build-staleness'

// End-to-end tests drive the real lab: the built renderer served by the browser host, in
// Debian's Chromium (Playwright cannot download its own browsers here).
const port = Number(process.env['LAB_E2E_PORT'] ?? 5199)
// A fresh workspace for every run, so saved sessions never leak between runs; the tests read
// its path from the environment (workers inherit it).
// (The config is evaluated again in each worker, which inherits the variable.)
const workspace = (process.env['LAB_E2E_WORKSPACE'] ??= resolve(
  import.meta.dirname,
  '../test-results',
  `workspace-${Date.now()}`
))

// The walks serve out/: rebuild it first when a source is newer, as the unit tests' setup does
// (here, since Playwright starts the web server before its global setup; once, as workers
// evaluate this file again and inherit the variable).
if (!process.env['LAB_E2E_BUILD_CHECKED']) {
  process.env['LAB_E2E_BUILD_CHECKED'] = '1'
  rebuildIfStale(resolve(import.meta.dirname, '..'), 'e2e setup')
}

export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1360, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `node ../out/main/serve.js --port ${port} --workspace "${workspace}"`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe'
  }
})
