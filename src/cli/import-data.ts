import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  importDataset,
  importedDatasetsRoot,
  type ImportProgress,
  type ImportReport
} from '../services/import-data'
import { WORKSPACE_FOLDER } from '../services/paths'
import { option } from './args'

// `lab import-data <path> --name NAME [--size 28] [--channels 1|3] [--workspace DIR] [--replace]`:
// prepares the user's images as a data set in the workspace, printing progress and a report.
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
  if (report.skipped.length > 0) {
    lines.push(`skipped ${report.skipped.length}:`)
    for (const s of report.skipped.slice(0, LISTED)) lines.push(`  ${s.entry}: ${s.reason}`)
    if (report.skipped.length > LISTED)
      lines.push(`  ... and ${report.skipped.length - LISTED} more`)
  } else {
    lines.push('skipped nothing')
  }
  const images = m.counts.train + m.counts.test
  lines.push(
    `${images} images in ${report.seconds.toFixed(1)} s (${Math.round(images / report.seconds)} images/s); saved in ${report.folder}`
  )
  return lines
}

/** `--workspace DIR`, else $LAB_WORKSPACE, else ~/Autoencoder Lab (as `lab serve`). */
export const workspaceOf = (given: string | undefined): string =>
  resolve(given ?? process.env['LAB_WORKSPACE'] ?? join(homedir(), WORKSPACE_FOLDER))

export async function importData(args: readonly string[]): Promise<void> {
  const [source] = args
  const name = option(args, '--name')
  if (source === undefined || name === undefined)
    throw new Error('import-data needs a file or folder and --name NAME')
  const channels = number(args, '--channels', 1)
  if (channels !== 1 && channels !== 3)
    throw new Error(`--channels must be 1 or 3, not ${channels}`)
  const workspace = resolve(
    option(args, '--workspace') ?? process.env['LAB_WORKSPACE'] ?? join(homedir(), WORKSPACE_FOLDER)
  )
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
