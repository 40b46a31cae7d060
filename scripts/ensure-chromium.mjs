#!/usr/bin/env node
// Makes sure a Chromium for the end-to-end tests is installed: Playwright cannot download its own
// browsers here, so the tests use Debian's chromium package, installed on demand.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (existsSync(path)) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasApt = existsSync('/usr/bin/apt-get')
if (!hasApt) {
  process.stderr.write(
    `No Chromium at ${path} and no apt-get to install one: install Chromium and set CHROMIUM_PATH.\n`
  )
  process.exit(1)
}
const sudo = isRoot ? [] : ['sudo']
process.stdout.write("Installing Debian's chromium for the end-to-end tests...\n")
try {
  const run = (args) =>
    execFileSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
  run(['apt-get', 'update', '-qq'])
  run(['apt-get', 'install', '-y', '-qq', 'chromium'])
} catch {
  process.stderr.write(
    'Installing chromium with apt-get failed; install it by hand (apt-get install chromium).\n'
  )
  process.exit(1)
}
if (!existsSync(path)) {
  process.stderr.write(`chromium installed but ${path} is missing; set CHROMIUM_PATH.\n`)
  process.exit(1)
}
