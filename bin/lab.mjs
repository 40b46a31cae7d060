#!/usr/bin/env node
// The `lab` command: runs the built CLI (out/main/cli.js).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write(
    'lab: the lab is not built yet; run `npm run build` (or `npx electron-vite build`) first\n'
  )
  process.exit(1)
}
const { runCli } = await import(pathToFileURL(cli).href)
try {
  await runCli(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
