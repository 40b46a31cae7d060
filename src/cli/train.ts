import { access, mkdir, readFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { chooseBackend } from '../ml/backend'
import { useImportedDatasets } from '../ml/data/datasets'
import { importedDatasetsRoot } from '../ml/data/imported'
import { pinned, traitsOf } from '../ml/kinds/catalog'
import { threadsFor } from '../ml/threads'
import { evaluateRun, runExperiment, type ProgressUpdate } from '../services/experiments'
import { datasetsDir } from '../services/paths'
import { SESSION_EXTENSION, newSession, readSession, writeSession } from '../services/session-file'
import { labVersions } from '../services/versions'
import { experimentSchema, type Experiment } from '../shared/experiments'
import { describeIssues } from '../shared/contract'
import { backendOptions, flag, option } from './args'
import { readCharacterSetFile } from '../services/font-import'
import { formatDuration } from '../shared/format'
import { workspaceOf } from './import-data'
import { interruptOnSigint } from './interrupt'

// `lab train <experiment.json> [--out FILE] [--backend NAME] [--threads N]` and `lab eval <session>`.

/**
 * An experiment's `fontFile` (a `.h` header or glyph JSON, relative to the experiment file) read
 * into `glyphs`, with `fontName` naming the array it took (and picking it when there are several).
 */
export async function resolveFontFile(path: string, experiment: Experiment): Promise<Experiment> {
  if (!('fontFile' in experiment) || experiment.fontFile === undefined) return experiment
  if (experiment.glyphs) throw new Error(`${path}: give "glyphs" or "fontFile", not both`)
  const fontPath = resolve(dirname(path), experiment.fontFile)
  // A header's grid may be given by the experiment's `grid`; glyph JSON and sheets say their own.
  try {
    await access(fontPath)
  } catch {
    throw new Error(`${path}: fontFile: cannot read ${fontPath}`)
  }
  const sets = await readCharacterSetFile(fontPath, experiment.grid ?? {})
  const wanted = experiment.fontName
  const set = wanted === undefined ? sets[0] : sets.find((s) => s.name === wanted)
  const names = sets.map((s) => s.name).join(', ')
  if (wanted === undefined && sets.length > 1)
    throw new Error(
      `${path}: ${basename(fontPath)} holds ${sets.length} character sets (${names}); pick one with "fontName"`
    )
  if (!set)
    throw new Error(`${path}: fontName: ${basename(fontPath)} has no "${wanted}" (it has ${names})`)
  // The glyphs travel in the session; the path, relative to this experiment file, would not.
  const { fontFile: _read, ...rest } = experiment
  const read = {
    ...rest,
    grid: set.grid,
    glyphs: set.glyphs,
    fontName: `${set.name} (${basename(fontPath)})`
  }
  // Checked again with the glyphs: their grid against the stop rule's bound.
  const parsed = experimentSchema.safeParse(read, { reportInput: true })
  if (!parsed.success) throw new Error(`${path}: ${describeIssues(parsed.error)}`)
  return parsed.data
}

/** Reads and validates an experiment file; the error names the file and every bad field. */
export async function readExperiment(path: string): Promise<Experiment> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`${path}: cannot read the experiment file`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error })
  }
  const parsed = experimentSchema.safeParse(doc, { reportInput: true })
  if (!parsed.success) throw new Error(`${path}: ${describeIssues(parsed.error)}`)
  return resolveFontFile(path, parsed.data)
}

function progressBar(stream: NodeJS.WriteStream): (u: ProgressUpdate) => void {
  let lastPrinted = -1
  let lastTime = 0
  const started = performance.now()
  return (u) => {
    const now = performance.now()
    const epochs = u.epoch + (u.within ? u.within.batch / u.within.batches : 0)
    const fraction = Math.min(1, epochs / u.epochs)
    const rate = epochs / Math.max(1e-3, (now - started) / 1000)
    const where = u.within
      ? `epoch ${u.epoch + 1}/${u.epochs} (${Math.floor((100 * u.within.batch) / u.within.batches)}%)`
      : `epoch ${u.epoch}/${u.epochs}`
    // Within an epoch, the loss shown is the last finished epoch's, and says so.
    const loss =
      u.loss === null
        ? 'loss -'
        : `loss ${u.loss.toPrecision(4)}${u.within ? ` (epoch ${u.epoch})` : ''}`
    const speed =
      u.samplesPerSecond === undefined
        ? `${rate.toFixed(rate < 10 ? 2 : 0)} epochs/s`
        : `${Math.round(u.samplesPerSecond).toLocaleString('en-US')} samples/s`
    const detail = `${where}  ${loss}${u.maxWrongPixels !== null ? `  worst glyph ${u.maxWrongPixels} px` : ''}  ${speed}`
    if (stream.isTTY) {
      if (now - lastTime < 100 && epochs !== u.epochs) return
      lastTime = now
      const width = 28
      const filled = Math.round(fraction * width)
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${detail}\x1b[K`)
    } else {
      // Not a terminal (a log, CI): one line per tenth of the run.
      const tenth = Math.floor(fraction * 10)
      const last = u.epoch === u.epochs && !u.within
      if (tenth === lastPrinted && !last) return
      lastPrinted = tenth
      stream.write(`${detail}\n`)
    }
  }
}

export async function train(args: readonly string[]): Promise<void> {
  // The arguments were checked by checkArgs: the experiment file comes first.
  const file = args[0]
  if (!file) throw new Error('usage: lab train <experiment.json> [options]')
  const imported = importedDatasetsRoot(workspaceOf(option(args, '--workspace')))
  useImportedDatasets(imported)
  const read = await readExperiment(file)
  // A data set that is missing or not trainable is named before any training starts.
  await traitsOf(read).check(read, datasetsDir(), imported)
  const experiment = await pinned(read, imported)
  const backend = backendOptions(args)
  const choice = await chooseBackend({
    ...backend,
    threads: threadsFor(traitsOf(experiment).worker, backend.threads)
  })
  const out = resolve(
    option(args, '--out') ??
      join(dirname(file), `${basename(file, extname(file))}${SESSION_EXTENSION}`)
  )
  const name = experiment.name ?? basename(file, extname(file))
  process.stderr.write(`training ${name} (${experiment.kind}) on ${choice.note}\n`)
  // Ctrl+C stops the run (it keeps its last completed epoch) and still writes the session;
  // the exit code is then 130, as for any command a SIGINT ended.
  const interrupt = interruptOnSigint(() =>
    process.stderr.write(
      '\nstopping (keeping the last completed epoch); the session will still be saved\n'
    )
  )
  try {
    const record = await runExperiment(
      experiment,
      {
        datasetsDir: datasetsDir(),
        backend: choice.backend,
        versions: { ...labVersions(), tfjs: (await import('@tensorflow/tfjs')).version_core }
      },
      {
        onProgress: flag(args, '--quiet') ? undefined : progressBar(process.stderr),
        control: interrupt.control
      }
    )
    if (process.stderr.isTTY) process.stderr.write('\n')
    const session = newSession(name)
    session.runs.push(record)
    await mkdir(dirname(out), { recursive: true })
    await writeSession(out, session)
    process.stdout.write(
      `${record.status}: ${record.message} (${formatDuration(record.seconds)})\nsession written to ${out}\n`
    )
    if (interrupt.requested) process.exitCode = 130
  } finally {
    interrupt.dispose()
  }
}

export async function evaluate(args: readonly string[]): Promise<void> {
  const file = args[0]
  if (!file) throw new Error('usage: lab eval <session.aelab>')
  const session = await readSession(file)
  if (session.runs.length === 0) throw new Error(`${file}: the session has no runs`)
  useImportedDatasets(importedDatasetsRoot(workspaceOf(option(args, '--workspace'))))
  await chooseBackend({})
  for (const record of session.runs) {
    process.stdout.write(
      `\n${record.experiment.name ?? session.name}: stored status ${record.status}: ${record.message}\n`
    )
    const evaluation = await evaluateRun(record, datasetsDir())
    const width = Math.max(...evaluation.lines.map(([k]) => k.length))
    for (const [key, value] of evaluation.lines)
      process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`)
  }
}
