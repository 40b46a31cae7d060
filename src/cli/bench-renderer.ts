import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { z } from 'zod'
import { startBrowserHost } from '../host/browser-host'
import { datasetsDir, rendererDir, trainingWorkerPath } from '../services/paths'
import { median, option } from './args'
import type { Print } from './bench'

// `lab bench renderer [--baseline DIR]`: what the user waits for when the lab opens, measured in
// real Chromium driven by Playwright (a development dependency, loaded only here): the built
// renderer's JavaScript sizes, the time from navigation to a usable Train button and to the
// first drawn chart, and the frame rate while the probe is dragged over the 10,000-point VAE
// scatter. With --baseline (another build's out/renderer), start-up loads alternate between the
// two builds, so that both see the same machine load.

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** A renderer build's JavaScript files: bytes, and bytes gzipped (as a server would send them). */
async function bundleSizes(dir: string): Promise<{ file: string; bytes: number; gzip: number }[]> {
  const assets = join(dir, 'assets')
  const files = (await readdir(assets)).filter((f) => f.endsWith('.js')).sort()
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(assets, file))
      return { file, bytes: text.length, gzip: gzipSync(text).length }
    })
  )
}

// Scripts that run in the page (as text: they use the page's DOM, not Node's).

/** Before the page's own scripts: notes, in ms since navigation started, when the app is
 * mounted, when the Train button can first be clicked and when a chart first has a canvas. */
const STARTUP_PROBE = `(() => {
  const marks = (window.__labStartup = {})
  const check = () => {
    if (marks.shell === undefined && document.querySelector('.topbar')) marks.shell = performance.now()
    if (marks.train === undefined) {
      const train = [...document.querySelectorAll('button')].find(
        (b) => b.textContent.trim() === 'Train' && !b.disabled
      )
      if (train) marks.train = performance.now()
    }
    if (marks.chart === undefined) {
      const canvas = document.querySelector('.chart canvas')
      if (canvas && canvas.width > 0) marks.chart = performance.now()
    }
    if (marks.train === undefined || marks.chart === undefined) requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
})()`
/** True once both marks are in (a function: the page's CSP forbids evaluating strings there). */
const startupDone = (): boolean => {
  const marks = (globalThis as { __labStartup?: { train?: number; chart?: number } }).__labStartup
  return marks?.train !== undefined && marks.chart !== undefined
}
const STARTUP_READ = `(() => {
  const nav = performance.getEntriesByType('navigation')[0]
  const scripts = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'))
  return {
    ...window.__labStartup,
    domContentLoaded: nav.domContentLoadedEventEnd,
    scriptBytes: scripts.reduce((s, r) => s + r.decodedBodySize, 0)
  }
})()`
const startupSchema = z.object({
  shell: z.number(),
  train: z.number(),
  chart: z.number(),
  domContentLoaded: z.number(),
  scriptBytes: z.number()
})
type Startup = z.infer<typeof startupSchema>

/** Frames per second with nothing moving, over `ms`. */
const idleFpsScript = (ms: number): string => `new Promise((resolve) => {
  let frames = 0
  const started = performance.now()
  const count = (now) => {
    if (now - started >= ${ms}) resolve((frames * 1000) / (now - started))
    else { frames++; requestAnimationFrame(count) }
  }
  requestAnimationFrame(count)
})`
/** Counts frames, and changes of the probe's text (decoded images shown), until stopped. */
const DRAG_COUNT = `(() => {
  const state = (window.__labDrag = { frames: 0, running: true, probes: 0, last: '' })
  const count = () => {
    if (!state.running) return
    state.frames++
    const text = document.querySelector('[data-testid="vae-probe"]')?.textContent ?? ''
    if (text !== state.last) { state.last = text; state.probes++ }
    requestAnimationFrame(count)
  }
  requestAnimationFrame(count)
})()`
const DRAG_STOP = `(() => {
  window.__labDrag.running = false
  return { frames: window.__labDrag.frames, probes: window.__labDrag.probes }
})()`
const dragCountSchema = z.object({ frames: z.number(), probes: z.number() })

async function startup(browser: Browser, url: string): Promise<Startup> {
  // A fresh context each time: nothing cached from an earlier load.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
  try {
    const page = await context.newPage()
    await page.addInitScript(STARTUP_PROBE)
    await page.goto(url)
    await page.waitForFunction(startupDone, undefined, { timeout: 60_000 })
    return startupSchema.parse(await page.evaluate(STARTUP_READ))
  } finally {
    await context.close()
  }
}

/** Trains a small VAE through the UI so that the scatter shows the 10,000 test images. */
async function vaeOnScreen(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('tab', { name: 'VAE' }).click()
  await page.getByLabel('Data set').selectOption('mnist')
  await page.getByLabel('Training subset size').fill('1000')
  await page.getByLabel('VAE hidden layers').fill('32')
  await page.getByLabel('VAE epochs').fill('1')
  await page.getByLabel('VAE seed').press('Tab')
  await page.getByRole('button', { name: 'Train VAE' }).click()
  await page
    .locator('[data-testid="vae-scatter"][data-points="10000"]')
    .waitFor({ timeout: 300_000 })
}

interface Drag {
  fps: number
  idleFps: number
  frames: number
  seconds: number
  moves: number
  probes: number
}

/**
 * Frames per second while the mouse drags the probe around the scatter for `seconds` (frames
 * counted by requestAnimationFrame in the page), beside the same page's rate with nothing moving.
 */
async function dragFps(page: Page, seconds: number): Promise<Drag> {
  const scatter = page.getByTestId('vae-scatter')
  await scatter.scrollIntoViewIfNeeded()
  const box = (await scatter.boundingBox())!
  const idleFps = z.number().parse(await page.evaluate(idleFpsScript(seconds * 1000)))
  await page.evaluate(DRAG_COUNT)
  const started = Date.now()
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5)
  await page.mouse.down()
  let moves = 0
  // Circles around the plane's centre, one mouse event per step, as fast as the page takes them.
  while (Date.now() - started < seconds * 1000) {
    const angle = moves / 20
    await page.mouse.move(
      box.x + box.width * (0.5 + 0.3 * Math.cos(angle)),
      box.y + box.height * (0.5 + 0.3 * Math.sin(angle))
    )
    moves++
  }
  await page.mouse.up()
  const elapsed = (Date.now() - started) / 1000
  const { frames, probes } = dragCountSchema.parse(await page.evaluate(DRAG_STOP))
  return { fps: frames / elapsed, idleFps, frames, seconds: elapsed, moves, probes }
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`

async function printSizes(print: Print, build: string, dir: string): Promise<void> {
  const sizes = await bundleSizes(dir)
  const total = sizes.reduce((s, f) => s + f.bytes, 0)
  const totalGzip = sizes.reduce((s, f) => s + f.gzip, 0)
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a))
  print(
    {
      case: 'renderer',
      build,
      bundle: true,
      files: sizes.length,
      totalKB: total / 1024,
      totalGzipKB: totalGzip / 1024,
      largest: largest.file,
      largestKB: largest.bytes / 1024,
      sizes
    },
    `${build} renderer JavaScript: ${sizes.length} files, ${kb(total)} (${kb(totalGzip)} gzipped); largest ${largest.file} ${kb(largest.bytes)}`
  )
}

function printStartup(print: Print, build: string, loads: Startup[]): void {
  const at = (key: keyof Startup): number => median(loads.map((l) => l[key]))
  const rounds = (key: keyof Startup): string => loads.map((l) => l[key].toFixed(0)).join(', ')
  print(
    {
      case: 'renderer',
      build,
      startup: true,
      rounds: loads.length,
      trainButtonMs: at('train'),
      firstChartMs: at('chart'),
      appMountedMs: at('shell'),
      domContentLoadedMs: at('domContentLoaded'),
      trainButtonRoundsMs: loads.map((l) => l.train),
      firstChartRoundsMs: loads.map((l) => l.chart),
      scriptKBLoaded: at('scriptBytes') / 1024,
      loadAverage: loadavg()[0]
    },
    `${build} start-up in Chromium (1280x720, fresh context, median of ${loads.length}): usable Train button ${at('train').toFixed(0)} ms (rounds ${rounds('train')}), ` +
      `first drawn chart ${at('chart').toFixed(0)} ms (rounds ${rounds('chart')}), app mounted ${at('shell').toFixed(0)} ms, DOMContentLoaded ${at('domContentLoaded').toFixed(0)} ms after navigation; ` +
      `${kb(at('scriptBytes'))} of JavaScript loaded; load average ${loadavg()[0]!.toFixed(1)}`
  )
}

export async function benchRenderer(print: Print, args: readonly string[]): Promise<void> {
  const rounds = Number(option(args, '--rounds') ?? 5)
  const dragSeconds = Number(option(args, '--seconds') ?? 5)
  const baselineDir = option(args, '--baseline')
  const builds = [
    { name: 'this build', dir: rendererDir() },
    ...(baselineDir ? [{ name: 'baseline', dir: resolve(baselineDir) }] : [])
  ]
  for (const b of builds) await printSizes(print, b.name, b.dir)

  // Playwright is a development dependency: the bench is a developer's tool.
  const name = 'playwright-core'
  const { chromium } = (await import(/* @vite-ignore */ name)) as typeof import('playwright-core')
  const workspace = await mkdtemp(join(tmpdir(), 'lab-bench-'))
  const hosts = await Promise.all(
    builds.map((b) =>
      startBrowserHost({
        port: 0,
        rendererDir: b.dir,
        datasetsDir: datasetsDir(),
        workerPath: trainingWorkerPath(),
        workspace
      })
    )
  )
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS
  })
  try {
    // One load of each first, to warm the host's file cache and the browser, not counted.
    for (const host of hosts) await startup(browser, host.url)
    const loads: Startup[][] = hosts.map(() => [])
    for (let i = 0; i < rounds; i++)
      for (const [k, host] of hosts.entries()) loads[k]!.push(await startup(browser, host.url))
    builds.forEach((b, k) => printStartup(print, b.name, loads[k]!))

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
    try {
      const page = await context.newPage()
      await vaeOnScreen(page, hosts[0]!.url)
      const drag = await dragFps(page, dragSeconds)
      print(
        {
          case: 'renderer',
          drag: true,
          points: 10000,
          ...drag,
          targetFps: 30,
          loadAverage: loadavg()[0]
        },
        `dragging the probe over the 10,000-point VAE scatter for ${drag.seconds.toFixed(1)} s: ${drag.fps.toFixed(1)} frames/s (target above 30; the same page with nothing moving: ${drag.idleFps.toFixed(1)}), ` +
          `${drag.moves} mouse moves, ${drag.probes} probe images shown; load average ${loadavg()[0]!.toFixed(1)}`
      )
    } finally {
      await context.close()
    }
  } finally {
    await browser.close()
    for (const host of hosts) await host.close()
    await rm(workspace, { recursive: true, force: true })
  }
}
