#!/usr/bin/env node
// After `npm ci` / `npm install`: on a Node older than some packages declare, says in plain words
// why npm printed "EBADENGINE" warnings and what they mean for the lab, so that they do not read
// as a broken install. Prints nothing when every package's declared Node range is met.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const lockFile = join(root, 'package-lock.json')
if (!existsSync(lockFile)) process.exit(0)

/** 20.19.0 -> [20, 19, 0]. */
const parts = (version) => version.split('.').map((n) => Number.parseInt(n, 10) || 0)
const atLeast = (version, minimum) => {
  const [a, b] = [parts(version), parts(minimum)]
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  return true
}
// Only the simple ">= X.Y.Z" ranges are read: that is how the packages concerned declare it.
const minimumOf = (range) => /^\s*>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(range ?? '')?.[1]

const node = process.argv[2] ?? process.versions.node
const lock = JSON.parse(readFileSync(lockFile, 'utf8'))
const unmet = Object.entries(lock.packages ?? {})
  .filter(([path, pkg]) => path !== '' && !pkg.optional)
  .map(([path, pkg]) => ({
    name: path.replace(/^.*node_modules\//, ''),
    minimum: minimumOf(pkg.engines?.node)
  }))
  .filter((p) => p.minimum && !atLeast(node, p.minimum))
if (unmet.length === 0) process.exit(0)

const names = [...new Set(unmet.map((p) => p.name))].sort()
const needs = [...new Set(unmet.map((p) => p.minimum))].join(', ')
process.stdout.write(
  `\nAbout the ${names.length} "EBADENGINE" warning${names.length === 1 ? '' : 's'} above: ${names.join(', ')} ` +
    `declare Node ${needs} or newer; this is Node ${node}. They belong to the Electron desktop shell ` +
    `and its packaging tools (the desktop app itself runs on Electron's own Node 24). The lab's build, ` +
    `command line, browser host and tests support Node 20.19 and newer, and the install is ` +
    `complete. With Node 22.12 or newer the warnings go away (README: "Supported Node versions").\n\n`
)
