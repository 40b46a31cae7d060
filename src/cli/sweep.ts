import { mkdir, readFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { chooseBackend } from '../ml/backend'
import { useImportedDatasets } from '../ml/data/datasets'
import { importedDatasetsRoot } from '../ml/data/imported'
import { pinned, traitsOf } from '../ml/kinds/catalog'
import { threadsFor } from '../ml/threads'
import { runExperiment, type ProgressUpdate } from '../services/experiments'
import { datasetsDir } from '../services/paths'
import { SESSION_EXTENSION, newSession, writeSession } from '../services/session-file'
import { labVersions } from '../services/versions'
import type { Experiment } from '../shared/experiments'
import {
  describeParameters,
  formatSweepValue,
  formatTimeLeft,
  parseSweepSpec,
  sweepTimeLeft,
  taggedRuns
} from '../shared/sweep'
import {
  SWEEP_METRICS,
  formatStat,
  sweepTables,
  type SweepRunResult
} from '../shared/sweep-results'
import { formatDuration } from '../shared/format'
import { studyById } from '../shared/studies'
import { backendOptions, flag, option } from './args'
import { workspaceOf } from './import-data'
import { interruptOnSigint } from './interrupt'
import { resolveFontFile } from './train'

// `lab sweep <sweep.json> [--out FILE]`: every run of a sweep, one after another, in this
// process through the one run driver; the session is written after each run, so Ctrl+C (which
// stops the run in progress) or a crash keeps every finished run.

/** A sweep file, or a study of the gallery by its id (`lab sweep intermediate-layers --quick`). */
async function readSweep(path: string, quick: boolean): Promise<Experiment[]> {
  const study = studyById(path)
  if (study) {
    const spec = quick ? study.quick?.sweep : study.sweep
    if (!spec) throw new Error(`the study "${study.id}" has no quick variant`)
    return taggedRuns(parseSweepSpec(spec))
  }
  if (quick) throw new Error('--quick picks the quick variant of a study; give a study id')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`${path}: cannot read the sweep file`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error })
  }
  try {
    const runs = taggedRuns(parseSweepSpec(doc))
    // A `fontFile` is relative to the sweep file, as to an experiment file.
    return await Promise.all(runs.map((run) => resolveFontFile(path, run)))
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** Where the run in progress is, from 0 to 1 (glyph runs solved early end sooner). */
const fractionOf = (u: ProgressUpdate): number =>
  Math.min(1, (u.epoch + (u.within ? u.within.batch / u.within.batches : 0)) / u.epochs)

export async function sweep(args: readonly string[]): Promise<void> {
  const file = args[0]
  if (!file) throw new Error('usage: lab sweep <sweep.json> [options]')
  const imported = importedDatasetsRoot(workspaceOf(option(args, '--workspace')))
  useImportedDatasets(imported)
  const planned = await readSweep(file, flag(args, '--quick'))
  const first = planned[0]!
  const name = first.sweep?.name ?? basename(file, extname(file))
  // Whatever a run needs (a data set, a character set) is named before any run starts.
  for (const run of planned) await traitsOf(run).check(run, datasetsDir(), imported)
  const backend = backendOptions(args)
  const choice = await chooseBackend({
    ...backend,
    threads: threadsFor(traitsOf(first).worker, backend.threads)
  })
  const out = resolve(
    option(args, '--out') ??
      join(dirname(file), `${basename(file, extname(file))}${SESSION_EXTENSION}`)
  )
  await mkdir(dirname(out), { recursive: true })
  const quiet = flag(args, '--quiet')
  const stream = process.stderr
  stream.write(`sweep ${name}: ${planned.length} runs (${first.kind}) on ${choice.note}\n`)

  const interrupt = interruptOnSigint(() =>
    stream.write('\nstopping the sweep (the run in progress stops; finished runs are kept)\n')
  )
  const session = newSession(name)
  const finishedSeconds: number[] = []
  const results: SweepRunResult[] = []
  const versions = { ...labVersions(), tfjs: (await import('@tensorflow/tfjs')).version_core }
  try {
    for (const [i, asked] of planned.entries()) {
      if (interrupt.requested) break
      const experiment = await pinned(asked, imported)
      const tag = experiment.sweep!
      const label = `run ${i + 1}/${planned.length} (${describeParameters(tag.parameters)}, seed ${tag.seed})`
      const started = performance.now()
      let lastLine = 0
      const record = await runExperiment(
        experiment,
        { datasetsDir: datasetsDir(), backend: choice.backend, versions },
        {
          onProgress: (u) => {
            // A terminal's line is redrawn a few times a second; a log gets one every 2 s.
            const every = stream.isTTY ? 200 : 2000
            if (quiet || u.epoch === 0 || performance.now() - lastLine < every) return
            if (lastLine === 0 && !stream.isTTY) {
              lastLine = performance.now()
              return
            }
            lastLine = performance.now()
            const elapsed = (performance.now() - started) / 1000
            const left = sweepTimeLeft(finishedSeconds, planned.length - i - 1, {
              elapsed,
              fraction: fractionOf(u)
            })
            const line = `${label}: epoch ${u.epoch}/${u.epochs}, sweep ${Math.floor((100 * i) / planned.length)}%, ${formatTimeLeft(left)} left`
            stream.write(stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`)
          },
          control: interrupt.control
        }
      )
      finishedSeconds.push((performance.now() - started) / 1000)
      // A run stopped before its first epoch has nothing to keep.
      if (record.epochs > 0) {
        session.runs.push(record)
        results.push({ runId: record.id, sweep: tag, outcome: record })
        await writeSession(out, session)
      }
      if (stream.isTTY) stream.write('\r\x1b[K')
      const left = sweepTimeLeft(finishedSeconds, planned.length - i - 1)
      if (!quiet)
        stream.write(
          `${label}: ${record.status} after ${record.epochs} epochs in ${formatDuration(record.seconds)}` +
            `${i + 1 < planned.length && !interrupt.requested ? `; ${formatTimeLeft(left)} left` : ''}\n`
        )
    }
  } finally {
    interrupt.dispose()
  }
  if (session.runs.length === 0) {
    process.stdout.write(
      'the sweep stopped before any run finished an epoch; nothing was written\n'
    )
    return
  }
  printTable(results)
  const kept = session.runs.filter((r) => r.status !== 'stopped').length
  process.stdout.write(
    `${interrupt.requested ? 'stopped: ' : ''}${kept} of ${planned.length} runs finished` +
      `${session.runs.length > kept ? ` (and ${session.runs.length - kept} stopped, kept)` : ''}\n` +
      `session written to ${out}\n`
  )
}

/** The sweep's results, one line per parameter combination, mean ± spread over seeds. */
function printTable(results: readonly SweepRunResult[]): void {
  for (const table of sweepTables(results)) {
    const header = [
      ...table.parameters,
      'seeds',
      ...table.metrics.map((m) => SWEEP_METRICS[m].short)
    ]
    const rows = table.rows.map((row) => [
      ...table.parameters.map((p) => formatSweepValue(row.parameters[p] ?? null)),
      String(row.seeds.length),
      ...table.metrics.map((m) => formatStat(row.metrics[m], SWEEP_METRICS[m].digits))
    ])
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
    const line = (cells: string[]): string =>
      cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')
    process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`)
  }
}
