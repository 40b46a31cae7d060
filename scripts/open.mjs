#!/usr/bin/env node
// Opens the lab: in Electron's window when its binary is available (downloading it on first use,
// as the electron package does), otherwise in the browser host on localhost, saying why in one
// line. `--browser` skips Electron. Never ends in a stack trace.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nodeRequire = createRequire(import.meta.url)

function fail(message) {
  process.stderr.write(`Autoencoder Lab: ${message}\n`)
  process.exit(1)
}

/** The Electron executable, or the reason there is none. */
function electronBinary() {
  let dir
  try {
    dir = dirname(nodeRequire.resolve('electron/package.json'))
  } catch {
    return { reason: 'the electron package is not installed' }
  }
  const pathFile = join(dir, 'path.txt')
  const binary = () =>
    existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
  if (binary() && existsSync(binary())) return { path: binary() }
  // The electron package downloads its binary on first use; try once, quietly.
  const install = spawnSync(process.execPath, [join(dir, 'install.js')], {
    encoding: 'utf8',
    timeout: 180_000
  })
  const found = binary()
  if (install.status === 0 && found && existsSync(found)) return { path: found }
  const output = `${install.stderr ?? ''}\n${install.stdout ?? ''}`
  const line =
    output.split('\n').find((l) => /error|fail|ENOTFOUND|ECONN|getaddrinfo/i.test(l)) ??
    'download failed'
  return { reason: `its download failed (${line.trim().slice(0, 140)})` }
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
}

async function openInBrowserHost() {
  const cli = join(root, 'out/main/cli.js')
  if (!existsSync(cli)) fail('the lab is not built; run `npm run build` first')
  const { runCli } = await import(pathToFileURL(cli).href)
  await runCli(['serve', ...process.argv.slice(2).filter((a) => a !== '--browser')])
}

async function main() {
  if (!existsSync(join(root, 'out/main/index.js')))
    fail('the lab is not built; run `npm run build` first')
  const forceBrowser = process.argv.includes('--browser')
  if (!forceBrowser) {
    const electron = electronBinary()
    if (electron.path && hasDisplay()) {
      const child = spawn(electron.path, [root], { stdio: 'inherit' })
      child.on('exit', (code) => process.exit(code ?? 0))
      child.on('error', (error) => fail(`Electron could not start: ${error.message}`))
      return
    }
    const why = electron.path
      ? 'there is no display to open a window on'
      : `Electron's binary is not available: ${electron.reason}`
    process.stdout.write(`${why}; serving the lab to your browser instead.\n`)
  }
  await openInBrowserHost()
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)))
