#!/usr/bin/env node
// Runs a command with colour only when its output goes to a terminal. Vitest's colour library
// colours whatever the output is unless NO_COLOR is set, so `npm run test:all > log` and CI logs
// got raw ANSI escapes; this sets NO_COLOR when stdout is not a terminal (unless FORCE_COLOR asks
// for colour anyway). Usage: node scripts/plain-when-piped.mjs <command> [args...]
import { spawn } from 'node:child_process'

const [command, ...args] = process.argv.slice(2)
if (!command) {
  process.stderr.write('usage: node scripts/plain-when-piped.mjs <command> [args...]\n')
  process.exit(2)
}
const env = { ...process.env }
if (!process.stdout.isTTY && env.FORCE_COLOR === undefined) env.NO_COLOR = '1'
const child = spawn(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' })
child.on('error', (error) => {
  process.stderr.write(`${command}: ${error.message}\n`)
  process.exit(1)
})
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal)
  else process.exit(code ?? 1)
})
