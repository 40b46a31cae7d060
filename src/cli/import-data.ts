import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeFile } from 'node:fs/promises'
import {
  importDataset,
  importedDatasetsRoot,
  previewGrid,
  previewImport,
  type ImportProgress,
  type ImportReport,
  type Skipped
} from '../services/import-data'
import { WORKSPACE_FOLDER } from '../services/paths'
import { option } from './args'

// `lab import-data <path> --name NAME [--size 28] [--channels 1|3] [--workspace DIR] [--replace]`:
// prepares the user's images as a data set in the workspace, printing progress and a report;
// with `--preview FILE`, only counts the images per class and writes a grid of the first ones.
// Ctrl+C cancels: the set is written into a hidden folder and renamed only when complete.

/** Skipped entries listed one per line; the rest are counted. */
const LISTED = 50

function number(args: readonly string[], name: string, fallback: number): number {
  const text = option(args, name)
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value)) throw new Error(`${name} needs a whole number, not "${text}"`)
  return value
}

function progressPrinter(interactive: boolean): (p: ImportProgress) => void {
  let lastShare = -1
  return (p) => {
    if (p.phase !== 'decoding' || p.total === 0) return
    const share = Math.floor((p.done / p.total) * 10)
    const text = `decoding ${p.done} of ${p.total} images (${Math.floor((p.done / p.total) * 100)}%)`
    if (interactive) process.stdout.write(`\r${text}${p.done === p.total ? '\n' : ''}`)
    else if (share !== lastShare) process.stdout.write(`${text}\n`)
    lastShare = share
  }
}

function formatSkipped(skipped: readonly Skipped[]): string[] {
  if (skipped.length === 0) return ['skipped nothing']
  const lines = [`skipped ${skipped.length}:`]
  for (const s of skipped.slice(0, LISTED)) lines.push(`  ${s.entry}: ${s.reason}`)
  if (skipped.length > LISTED) lines.push(`  ... and ${skipped.length - LISTED} more`)
  return lines
}

/** The report, as lines: counts per class, then what was skipped and why. */
export function formatReport(report: ImportReport): string[] {
  const m = report.manifest
  const colour = m.channels === 1 ? 'grey' : 'RGB'
  const split = m.source.split === 'files' ? 'as the files give it' : 'seeded 85/15'
  const width = Math.max(5, ...m.classes.map((c) => c.length))
  const lines = [
    `imported "${m.name}": ${m.counts.train} training + ${m.counts.test} test images, ${m.size}x${m.size} ${colour}, ${m.classes.length} class${m.classes.length === 1 ? '' : 'es'} (split ${split})`,
    `  ${'class'.padEnd(width)}  ${'train'.padStart(7)}  ${'test'.padStart(7)}`,
    ...m.classes.map(
      (name, k) =>
        `  ${name.padEnd(width)}  ${String(m.counts.trainPerClass[k]).padStart(7)}  ${String(m.counts.testPerClass[k]).padStart(7)}`
    )
  ]
  lines.push(...formatSkipped(report.skipped))
  const images = m.counts.train + m.counts.test
  lines.push(
    `${images} images in ${report.seconds.toFixed(1)} s (${Math.round(images / report.seconds)} images/s); saved in ${report.folder}`
  )
  return lines
}

/** `--workspace DIR`, else $LAB_WORKSPACE, else ~/Autoencoder Lab (as `lab serve`). */
export const workspaceOf = (given: string | undefined): string =>
  resolve(given ?? process.env['LAB_WORKSPACE'] ?? join(homedir(), WORKSPACE_FOLDER))

/** `--preview FILE`: the counts per class and a grid of each class's first images; no import. */
async function preview(source: string, file: string, size: number, channels: 1 | 3): Promise<void> {
  const result = await previewImport({ source: resolve(source), size, channels })
  await writeFile(file, await previewGrid(result))
  const total = result.classes.reduce((n, c) => n + c.count, 0)
  const width = Math.max(5, ...result.classes.map((c) => c.name.length))
  const lines = [
    `${source} (${result.format}): ${total} images in ${result.classes.length} class${result.classes.length === 1 ? '' : 'es'}`,
    ...result.classes.map((c) => `  ${c.name.padEnd(width)}  ${String(c.count).padStart(7)}`),
    ...formatSkipped(result.skipped),
    `${file}: the first images of each class as the import makes them, one row per class; nothing was imported`
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

export async function importData(args: readonly string[]): Promise<void> {
  const [source] = args
  const name = option(args, '--name')
  const channels = number(args, '--channels', 1)
  if (channels !== 1 && channels !== 3)
    throw new Error(`--channels must be 1 or 3, not ${channels}`)
  const previewFile = option(args, '--preview')
  if (source !== undefined && previewFile !== undefined)
    return preview(source, resolve(previewFile), number(args, '--size', 28), channels)
  if (source === undefined || name === undefined)
    throw new Error('import-data needs a file or folder and --name NAME (or --preview FILE)')
  const workspace = workspaceOf(option(args, '--workspace'))
  const controller = new AbortController()
  const cancel = (): void => controller.abort(new Error('import cancelled: nothing was saved'))
  process.once('SIGINT', cancel)
  try {
    const report = await importDataset({
      source: resolve(source),
      datasetsRoot: importedDatasetsRoot(workspace),
      name,
      size: number(args, '--size', 28),
      channels,
      replace: args.includes('--replace'),
      signal: controller.signal,
      onProgress: progressPrinter(process.stdout.isTTY === true)
    })
    process.stdout.write(`${formatReport(report).join('\n')}\n`)
  } catch (error) {
    throw controller.signal.aborted ? (controller.signal.reason as Error) : error
  } finally {
    process.off('SIGINT', cancel)
  }
}
