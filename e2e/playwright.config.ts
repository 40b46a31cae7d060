import { resolve } from 'node:path'
import { defineConfig } from '@playwright/test'

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
