import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../src/ml/backend'
import { loadFonts } from '../src/ml/data/datasets'
import { buildReport, localInference } from '../src/services/report'
import { newSession, readSession, writeSession, type Session } from '../src/services/session-file'
import { denoisingPerGlyphCsv, latentCodesCsv } from '../src/shared/exports'
import { runRow } from '../src/shared/report'
import { CLASS_NAMES } from '../src/shared/schemas'
import { datasetsDir, root } from './helpers'

// Reports of a real session: three runs trained by the real `lab train` on tiny settings (a
// letters autoencoder, a denoising one, a VAE), one session holding them, its report built by
// the service and printed to PDF by the real `lab report --pdf`.

const run = promisify(execFile)
const scratch = mkdtempSync(join(tmpdir(), 'lab-report-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const lab = (...args: string[]) =>
  run(process.execPath, [join(root, 'bin/lab.mjs'), ...args], { cwd: scratch, timeout: 120_000 })

const experiments = {
  letters: {
    kind: 'autoencoder',
    name: 'letters',
    font: 'Font2',
    hidden: [24],
    latent: 2,
    activation: 'tanh',
    learningRate: 0.02,
    epochs: 40,
    maxWrongPixels: 1,
    seed: 1
  },
  denoising: {
    kind: 'denoising',
    name: 'denoising',
    font: 'Font1',
    hidden: [24],
    latent: 2,
    activation: 'tanh',
    learningRate: 0.02,
    epochs: 20,
    maxWrongPixels: null,
    seed: 2,
    noise: { kind: 'bitflip', level: 0.1, copies: 2 }
  },
  vae: {
    kind: 'vae',
    name: 'vae',
    dataset: 'mnist',
    trainSize: 256,
    hidden: [16],
    latent: 2,
    epochs: 2,
    batchSize: 128,
    seed: 3
  }
}

let session: Session
const sessionPath = join(scratch, 'all.aelab')

beforeAll(async () => {
  const runs = []
  for (const [name, experiment] of Object.entries(experiments)) {
    const file = join(scratch, `${name}.json`)
    writeFileSync(file, JSON.stringify(experiment))
    await lab('train', file, '--quiet', '--out', join(scratch, `${name}.aelab`))
    runs.push(...(await readSession(join(scratch, `${name}.aelab`))).runs)
  }
  // A small sweep by the real `lab sweep`: two widths, two seeds.
  const sweepFile = join(scratch, 'widths.json')
  writeFileSync(
    sweepFile,
    JSON.stringify({
      name: 'widths',
      base: { ...experiments.letters, name: undefined, epochs: 10, maxWrongPixels: null },
      grid: [{ parameter: 'hidden', values: [[8], [16]] }],
      seeds: [1, 2]
    })
  )
  await lab('sweep', sweepFile, '--quiet', '--out', join(scratch, 'widths.aelab'))
  const swept = (await readSession(join(scratch, 'widths.aelab'))).runs
  // A second letters run, to compare: the same trained run under another id.
  const letters = runs[0]!
  runs.splice(1, 0, {
    ...letters,
    id: `${letters.id}-b`,
    experiment: { ...letters.experiment, name: 'letters again' }
  })
  runs.push(...swept)
  session = { ...newSession('three labs'), runs }
  await writeSession(sessionPath, session)
  await chooseBackend({})
}, 240_000)

async function report(options: Parameters<typeof buildReport>[1] = {}): Promise<string> {
  const inference = localInference(session.runs, datasetsDir)
  try {
    return await buildReport(session, options, {
      inference,
      fonts: await loadFonts(datasetsDir),
      classNames: async () => CLASS_NAMES.mnist
    })
  } finally {
    await inference.dispose()
  }
}

const figuresOf = (html: string, lab: string): string[] => {
  const start = html.indexOf(`data-lab="${lab}"`)
  const end = html.indexOf('</article>', start)
  return [...html.slice(start, end).matchAll(/data-figure="([^"]+)"/g)].map((m) => m[1]!)
}

describe('lab report', () => {
  let html = ''
  beforeAll(async () => {
    html = await report({ title: 'Practical 5', notes: 'Two <letters> runs & one VAE' })
  }, 120_000)

  it('has the sections of each lab kind', () => {
    expect(html).toContain('<h1>Practical 5</h1>')
    expect(html).toContain('Two &#60;letters&#62; runs &#38; one VAE')
    expect(figuresOf(html, 'letters')).toEqual(
      expect.arrayContaining([
        'loss',
        'compare',
        'latent-plane',
        'reconstructions',
        'wrong-pixels',
        'decode-grid',
        'interpolation',
        'samples'
      ])
    )
    expect(figuresOf(html, 'denoising')).toEqual(
      expect.arrayContaining([
        'loss',
        'noise-sweep',
        'triplets-fresh',
        'triplets-train',
        'denoising-metrics',
        'denoising-per-glyph',
        'latent-plane',
        'reconstructions'
      ])
    )
    expect(figuresOf(html, 'vae')).toEqual(
      expect.arrayContaining([
        'vae-loss',
        'vae-scatter',
        'vae-epoch-images',
        'vae-decode-grid',
        'vae-path',
        'vae-samples'
      ])
    )
    // Every run is a row of its lab's table, with its settings.
    for (const r of session.runs) expect(html).toMatch(new RegExp(`<tr data-run="${r.id}">`))
    expect(html).toContain('35-24-2-24-35')
    expect(html).toContain('784-16-2-16-784')
    // Charts are ECharts' SVG (the page's option builders, rendered on the server).
    expect((html.match(/<svg[^>]+xmlns/g) ?? []).length).toBeGreaterThan(15)
  })

  it("has each run's metrics in its lab's runs table, as measured when the run ended", () => {
    const tableOf = (lab: string): string => {
      const start = html.indexOf(`data-lab="${lab}"`)
      return /<table class="runs"[\s\S]*?<\/table>/.exec(html.slice(start))![0]
    }
    const letters = tableOf('letters')
    expect(letters).toContain('<th>active units</th>')
    expect(letters).not.toContain('kNN')
    const vae = tableOf('vae')
    for (const column of [
      'active units',
      'kNN accuracy (k 5)',
      'worst class error (MSE)',
      'test −ELBO',
      'reconstruction + KL',
      'measured on'
    ])
      expect(vae).toContain(`<th>${column}</th>`)
    const m = session.runs.find((r) => r.experiment.kind === 'vae')!.metrics!
    const row = /<tr data-run="[^"]+">[\s\S]*?<\/tr>/.exec(vae)![0]
    expect(row).toContain(`<td>${m.activeUnits.count} of 2</td>`)
    expect(row).toContain(`<td>${(m.knn!.accuracy * 100).toFixed(1)}%</td>`)
    expect(row).toContain(`<td>${m.elbo!.negativeElbo.toFixed(1)}</td>`)
    expect(row).toContain('<td>2,000 test images</td>')
  })

  it('shows a sweep as its results table and small multiples', () => {
    expect(html).toContain('data-section="sweeps"')
    const table = /<table class="metrics sweep"[\s\S]*?<\/table>/.exec(html)![0]
    // A header and one row per width, each over its two seeds.
    expect(table.match(/<tr>/g)).toHaveLength(3)
    expect(table).toContain('<td>[8]</td><td>2</td>')
    expect(table).toContain('<td>[16]</td><td>2</td>')
    expect(table).toMatch(/\d ± \d/)
    expect(figuresOf(html, 'letters')).toContain('sweep-multiple')
  })

  it('refers to nothing outside itself', () => {
    const urls = [...html.matchAll(/\b(?:href|src|xlink:href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]!)
    expect(urls.length).toBeGreaterThan(5)
    for (const url of urls) expect(url).toMatch(/^(data:|#)/)
    // The only http(s) strings are XML namespaces, never fetched.
    const web = [...html.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0])
    expect(new Set(web)).toEqual(
      new Set(
        ['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'].filter((u) =>
          web.includes(u)
        )
      )
    )
    expect(html).not.toMatch(/@import|url\(\s*['"]?(?!data:|#)/)
  })

  it('keeps to the chosen runs and sections', async () => {
    const vae = session.runs.find((r) => r.experiment.kind === 'vae')!.id
    const only = await report({ runIds: [vae], sections: ['runs', 'samples'] })
    expect(only).toContain('data-lab="vae"')
    expect(only).not.toContain('data-lab="letters"')
    expect(figuresOf(only, 'vae')).toEqual(['vae-samples'])
    await expect(report({ runIds: ['run-missing'] })).rejects.toThrow(/no run run-missing/)
  })

  it('links its runs table as CSV that parses back', () => {
    const link = /href="data:text\/csv;base64,([^"]+)"/.exec(html)?.[1]
    const rows = parse(Buffer.from(link!, 'base64').toString('utf8'), { columns: true }) as Record<
      string,
      string
    >[]
    expect(rows.map((r) => r['run'])).toEqual(session.runs.map((r) => r.id))
    const first = runRow(session.runs[0]!, 0)
    expect(rows[0]).toMatchObject({
      architecture: first.architecture,
      optimizer: first.optimizer,
      seed: '1',
      backend: first.backend
    })
  })
})

describe('data exports', () => {
  it('denoising metrics per glyph and VAE codes parse back', () => {
    const denoising = session.runs.find((r) => r.experiment.kind === 'denoising')!
    const chars = denoising.glyphs!.map((g) => g.char)
    const rows = parse(denoisingPerGlyphCsv(chars, denoising.denoising!), {
      columns: true
    }) as Record<string, string>[]
    expect(rows.map((r) => r['glyph'])).toEqual(chars)
    expect(rows.map((r) => Number(r['fresh_after']))).toEqual(
      denoising.denoising!.freshNoise.wrongAfter
    )
    const codes = parse(
      latentCodesCsv(
        [
          [0.5, -1],
          [2, 3.25]
        ],
        [7, 1],
        CLASS_NAMES.mnist
      ),
      { columns: true }
    )
    expect(codes).toEqual([
      { index: '0', label: '7', class: '7', z1: '0.5', z2: '-1' },
      { index: '1', label: '1', class: '1', z1: '2', z2: '3.25' }
    ])
  })
})

describe('lab report --pdf', () => {
  it('writes the HTML and a PDF of it', async () => {
    const out = join(scratch, 'printed.html')
    const { stdout } = await lab(
      'report',
      sessionPath,
      '--out',
      out,
      '--pdf',
      '--sections',
      'runs,loss,latent,vae-scatter',
      '--title',
      'Printed'
    )
    expect(stdout).toContain('PDF written to')
    const pdf = readFileSync(join(scratch, 'printed.pdf'))
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(statSync(join(scratch, 'printed.pdf')).size).toBeGreaterThan(20_000)
    // A page per lab at least (each lab starts a page when printed).
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []
    expect(pages.length).toBeGreaterThanOrEqual(3)
    expect(readFileSync(out, 'utf8')).toContain('<h1>Printed</h1>')
  }, 120_000)

  it('says which sections exist when given another', async () => {
    const error = await lab('report', sessionPath, '--sections', 'runs,pictures').catch(
      (e: { stderr: string }) => e
    )
    expect((error as { stderr: string }).stderr).toMatch(/sections.*vae-scatter/)
  })
})

describe('lab report --lang es', () => {
  it('writes the headings, the runs table and the sweeps in Spanish', async () => {
    const out = join(scratch, 'informe.html')
    await lab('report', sessionPath, '--out', out, '--lang', 'es', '--sections', 'runs,sweeps,loss')
    const es = readFileSync(out, 'utf8')
    expect(es).toContain('<html lang="es-AR">')
    expect(es).toContain('<h1>Informe: three labs</h1>')
    for (const heading of [
      'Autoencoder de letras',
      'Autoencoder de eliminación de ruido',
      'Autoencoder variacional (VAE)',
      '<h3>Tabla de ejecuciones</h3>',
      '<h3>Curvas de pérdida</h3>',
      '<th>Ejecución</th><th>Datos</th><th>Arquitectura</th>',
      '<th>Semilla</th><th>Estado</th>',
      'Barrido “',
      '<th>semillas</th>',
      'Datos: <a class="data"'
    ])
      expect(es).toContain(heading)
    // Every run is still a row of the table; no English heading is left.
    for (const r of session.runs) expect(es).toContain(`<tr data-run="${r.id}">`)
    for (const english of [
      'Runs table',
      'Loss curves',
      '<th>Architecture</th>',
      'Letters autoencoder'
    ])
      expect(es).not.toContain(english)
  }, 120_000)

  it('names the languages it has when given another', async () => {
    const error = await lab('report', sessionPath, '--lang', 'fr').catch(
      (e: { stderr: string }) => e
    )
    expect((error as { stderr: string }).stderr).toMatch(/--lang: en or es/)
  })
})
