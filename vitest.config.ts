import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // A test file's module graph can hold a second copy of TensorFlow.js's CPU backend (vite's
    // ESM build beside Node's CJS one), whose first tensor prints tfjs's "Hi, looks like you are
    // running TensorFlow.js in Node.js" banner. The lab's own processes silence it
    // (src/ml/quiet-banner.ts; test/cli.test.ts checks the CLI prints none); here it is dropped.
    onConsoleLog: (log) => !log.includes('Hi, looks like you are running TensorFlow.js'),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run files one after another so training tests do not fight over them.
    fileParallelism: false
  }
})
