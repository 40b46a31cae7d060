import { execFile, spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { loadLayersModel } from '../src/ml/export'
import { readSession } from '../src/services/session-file'
import { commands } from '../src/cli/index'
import { root } from './helpers'

// The real `lab` command, as a user runs it.
const run = promisify(execFile)
const scratch = mkdtempSync(join(tmpdir(), 'lab-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/lab.mjs'), ...args], {
      cwd: scratch,
      timeout: 120_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function experiment(name: string, body: unknown): string {
  const path = join(scratch, `${name}.json`)
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body))
  return path
}

const letters = {
  kind: 'autoencoder',
  font: 'Font2',
  hidden: [64, 32],
  latent: 2,
  activation: 'tanh',
  learningRate: 0.02,
  epochs: 2000,
  maxWrongPixels: 1,
  seed: 1
}

describe('lab train', () => {
  it('names the bad field of a config', async () => {
    const result = await lab('train', experiment('bad-field', { ...letters, hidden: [64, 'wide'] }))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/bad-field\.json: hidden\.1: .*expected number/)
  })

  it('explains other bad experiment files in one line', async () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /not valid JSON/],
      [{ ...letters, kind: 'gan' }, /kind/],
      [{ ...letters, font: 'Comic' }, /font/],
      [{ ...letters, learningRate: -1 }, /learningRate/],
      [{ ...letters, kind: 'denoising' }, /noise/],
      [{ ...letters, surprise: 1 }, /surprise/],
      [{ kind: 'vae', dataset: 'cifar' }, /dataset/]
    ]
    for (const [body, message] of cases) {
      const result = await lab('train', experiment('bad', body))
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(message)
    }
    const missing = await lab('train', join(scratch, 'nope.json'))
    expect(missing.stderr).toMatch(/nope\.json: cannot read the experiment file/)
    const backend = await lab('train', experiment('ok', letters), '--backend', 'gpu')
    expect(backend.stderr).toMatch(/--backend must be tensorflow, wasm or cpu/)
  })

  it('trains, writes a session that validates and whose weights load in plain tfjs, and eval reads it', async () => {
    const trained = await lab('train', experiment('font2', letters), '--backend', 'wasm')
    expect(trained.code).toBe(0)
    expect(trained.stdout).toMatch(/solved: every glyph within 1 wrong pixel/)
    // Glyph networks train on one thread unless told otherwise (see src/ml/threads.ts).
    expect(trained.stderr).toMatch(/on wasm \(1 thread\)/)
    // No TensorFlow.js banner, nothing that reads like an error, no escapes when not a terminal.
    expect(trained.stderr).not.toMatch(/Hi, looks like|Cannot find module|not available/)
    expect(trained.stderr).not.toContain('\x1b[')
    const file = join(scratch, 'font2.aelab')
    expect(trained.stdout).toContain(file)
    const session = await readSession(file)
    expect(session.runs).toHaveLength(1)
    const record = session.runs[0]!
    expect(record.environment.backend).toBe('wasm')
    expect(record.history['loss']!.length).toBe(record.epochs + 1)
    expect(record.glyphs).toHaveLength(32)
    const model = await loadLayersModel(record.networks['autoencoder']!)
    expect(model.outputs[0]!.shape).toEqual([null, 35])
    model.dispose()
    const evaluated = await lab('eval', file)
    expect(evaluated.code).toBe(0)
    expect(evaluated.stdout).toMatch(/worst glyph, wrong pixels\s+[01]\n/)
    expect(evaluated.stdout).toMatch(/glyphs\s+32/)
    // A letters run takes milliseconds: its duration never reads "(0.0 s)".
    expect(trained.stdout).toMatch(/\((\d+ ms|\d+\.\d s)\)\n/)
    expect(trained.stdout).not.toContain('(0.0 s)')
  })

  it('stops a long letters run on Ctrl+C (SIGINT): a clear message, exit code 130, the session complete', async () => {
    // A million epochs, never solved (no wrong-pixel bound): it would run for hours.
    const file = experiment('endless', { ...letters, epochs: 1_000_000, maxWrongPixels: null })
    const out = join(scratch, 'endless-out.aelab')
    const child = spawn(
      process.execPath,
      [join(root, 'bin/lab.mjs'), 'train', file, '--out', out],
      {
        cwd: scratch
      }
    )
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((done) => child.on('close', done))
    onTestFinished(() => void child.kill('SIGKILL'))
    await new Promise<void>((started) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        // The first progress line: the run is training.
        if (/epoch \d+\/1000000/.test(stderr)) started()
      })
    )
    child.kill('SIGINT')
    expect(await exited, stderr).toBe(130)
    expect(stderr).toContain('stopping')
    expect(stdout).toMatch(/^stopped: /m)
    expect(stdout).toContain(`session written to ${out}`)
    // Complete, not half-written: it validates (integrity included) and holds the stopped run.
    const record = (await readSession(out)).runs[0]!
    expect(record.status).toBe('stopped')
    expect(record.epochs).toBeGreaterThan(0)
    expect(record.epochs).toBeLessThan(1_000_000)
    // No temporary file left beside it.
    expect(readdirSync(scratch).filter((name) => name.startsWith('endless-out'))).toEqual([
      'endless-out.aelab'
    ])
  })

  it('trains on a character set from a course header named by fontFile, and eval lists its glyphs', async () => {
    mkdirSync(join(scratch, 'course'), { recursive: true })
    copyFileSync(join(root, 'test/fixtures/font.h'), join(scratch, 'course/font.h'))
    const { font: _font, ...rest } = letters
    const body = { ...rest, fontFile: 'course/font.h', fontName: 'Font3', epochs: 40 }
    // Several arrays and no fontName: the message lists them.
    const ambiguous = await lab('train', experiment('which', { ...body, fontName: undefined }))
    expect(ambiguous.stderr).toMatch(
      /which\.json: font\.h holds 3 character sets \(Font1, Font2, Font3\); pick one with "fontName"/
    )
    const unknown = await lab('train', experiment('which', { ...body, fontName: 'Font9' }))
    expect(unknown.stderr).toMatch(
      /fontName: font\.h has no "Font9" \(it has Font1, Font2, Font3\)/
    )
    const missing = await lab('train', experiment('which', { ...body, fontFile: 'nope.h' }))
    expect(missing.stderr).toMatch(/fontFile: cannot read .*nope\.h/)

    const trained = await lab('train', experiment('from-header', body), '--quiet')
    expect(trained.code, trained.stderr).toBe(0)
    const record = (await readSession(join(scratch, 'from-header.aelab'))).runs[0]!
    expect(record.experiment).toMatchObject({ fontName: 'Font3 (font.h)' })
    expect(record.experiment).not.toHaveProperty('font')
    expect(record.experiment).not.toHaveProperty('fontFile')
    const evaluated = await lab('eval', join(scratch, 'from-header.aelab'))
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(evaluated.stdout).toContain('(autoencoder, Font3 (font.h) (32 glyphs),')
    expect(evaluated.stdout).not.toMatch(/Font1|Font2/)
    // The glyphs by their characters, as the header's comments name them.
    expect(evaluated.stdout).toMatch(
      /wrong pixels per glyph\s+`:\d+ a:\d+ b:\d+ .* ~:\d+ DEL:\d+\n/
    )
  })

  it('takes glyphs without a font, and reports every missing field at once', async () => {
    const { font: _font, ...rest } = letters
    const glyphs = [
      { char: 'x', code: 120, pixels: Array.from({ length: 35 }, (_, i) => i % 2) },
      { char: 'o', code: 111, pixels: Array.from({ length: 35 }, (_, i) => (i % 2) ^ 1) }
    ]
    const drawn = await lab(
      'train',
      experiment('drawn', { ...rest, glyphs, epochs: 30 }),
      '--quiet'
    )
    expect(drawn.code, drawn.stderr).toBe(0)
    const evaluated = await lab('eval', join(scratch, 'drawn.aelab'))
    expect(evaluated.stdout).toContain('(autoencoder, custom set (2 glyphs),')
    expect(evaluated.stdout).toMatch(/wrong pixels per glyph\s+x:\d+ o:\d+/)

    const bare = await lab('train', experiment('bare', { kind: 'autoencoder' }))
    expect(bare.code).toBe(1)
    expect(bare.stderr.trim().split('\n')).toHaveLength(1)
    expect(bare.stderr).toContain(
      'missing fields hidden, latent, activation, learningRate, epochs, maxWrongPixels, seed'
    )
    expect(bare.stderr).toContain(
      'font: give "font" (Font1, Font2 or Font3), "glyphs" or "fontFile"'
    )
  })

  it('trains a small VAE on Fashion-MNIST and evaluates it on the test set', async () => {
    const trained = await lab(
      'train',
      experiment('vae', {
        kind: 'vae',
        dataset: 'fashion-mnist',
        trainSize: 1024,
        hidden: [32],
        epochs: 2
      })
    )
    expect(trained.code).toBe(0)
    // Not a terminal: a line per tenth of the run, from within epochs too, and the last epoch.
    // Within epoch 2 the loss shown is epoch 1's, and says so; the speed is in samples/s.
    expect(trained.stderr).toMatch(/^epoch 1\/2 \(\d+%\)\s{2}loss -\s{2}[\d,]+ samples\/s$/m)
    expect(trained.stderr).toMatch(
      /^epoch 2\/2 \(\d+%\)\s{2}loss \d+\.?\d* \(epoch 1\)\s{2}[\d,]+ samples\/s$/m
    )
    expect(trained.stderr).toMatch(/^epoch 2\/2\s{2}loss \d+\.?\d*\s{2}[\d,]+ samples\/s$/m)
    const evaluated = await lab('eval', join(scratch, 'vae.aelab'))
    expect(evaluated.stdout).toMatch(/test loss \(negative ELBO\)\s+\d+\.\d+/)
  })
})

describe('lab train --threads', () => {
  it('gives the same VAE weights on the wasm backend with one thread and with two', async () => {
    const body = { kind: 'vae', dataset: 'mnist', trainSize: 512, hidden: [64], epochs: 1, seed: 3 }
    const weights: string[] = []
    for (const threads of ['1', '2']) {
      const out = join(scratch, `threads-${threads}.aelab`)
      const result = await lab(
        'train',
        experiment('threads', body),
        '--backend',
        'wasm',
        '--threads',
        threads,
        '--out',
        out,
        '--quiet'
      )
      expect(result.code).toBe(0)
      expect(result.stderr).toMatch(
        new RegExp(`on wasm \\(${threads} thread${threads === '1' ? '' : 's'}\\)`)
      )
      const session = await readSession(out)
      const { encoder, decoder } = session.runs[0]!.networks
      weights.push(`${encoder?.weightData ?? ''}|${decoder?.weightData ?? ''}`)
    }
    // 784-64-4 and 2-64-784 in float32, base64: over 400 kB of weights, identical to the bit.
    expect(weights[0]!.length).toBeGreaterThan(400_000)
    expect(weights[1]).toBe(weights[0])
  })

  it('refuses a thread count outside 1 to 8', async () => {
    const result = await lab('train', experiment('letters', letters), '--threads', '9')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/--threads must be a whole number from 1 to 8, not "9"/)
  })
})

describe('lab eval', () => {
  it('refuses damaged and foreign files with a clear message', async () => {
    const good = readFileSync(join(scratch, 'font2.aelab'), 'utf8')
    const cases: [string, RegExp][] = [
      [good.slice(0, good.length / 2), /not valid JSON/],
      ['{"format":"something-else"}', /not an Autoencoder Lab session file/],
      [good.replace('"version":1', '"version":9'), /newer version of the lab \(session format 9/],
      [
        good.replace('"status":"solved"', '"status":"great"'),
        /damaged session file: its contents do not match the checksum/
      ]
    ]
    for (const [text, message] of cases) {
      const path = join(scratch, 'damaged.aelab')
      writeFileSync(path, text)
      const result = await lab('eval', path)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(message)
    }
  })
})

describe('lab options', () => {
  it('refuses unknown options with the list of valid ones', async () => {
    const file = experiment('options', letters)
    for (const args of [
      ['--epochs', '10'],
      ['--foo', 'bar']
    ]) {
      const result = await lab('train', file, ...args)
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(
        `lab: train: unknown option ${args[0]} (valid options: --out FILE, --backend NAME, --threads N, --workspace DIR, --quiet, --help)\n`
      )
    }
    expect((await lab('eval', 'x.aelab', '--fast')).stderr).toMatch(
      /lab: eval: unknown option --fast \(valid options: --workspace DIR, --help\)/
    )
    expect((await lab('serve', '--prot', '1')).stderr).toMatch(/lab: serve: unknown option --prot/)
    expect((await lab('bench', 'letters', '--sedes', '2')).stderr).toMatch(
      /lab: bench: unknown option --sedes \(valid options: --backend NAME, .*--seeds N/
    )
    expect((await lab('train', file, 'second.json')).stderr).toMatch(
      /lab: train: unexpected argument "second\.json"/
    )
  })

  it('refuses --out without a value instead of writing next to the experiment', async () => {
    const file = experiment('no-out', letters)
    for (const args of [['--out'], ['--out', '--quiet'], ['--out=']]) {
      const result = await lab('train', file, ...args)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/lab: train: --out needs a value \(--out FILE\)/)
    }
    expect(existsSync(join(scratch, 'no-out.aelab'))).toBe(false)
  })

  it('lists every option the commands read, so that none is refused by mistake', () => {
    const used = new Set<string>()
    for (const file of readdirSync(join(root, 'src/cli')).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(root, 'src/cli', file), 'utf8')
      for (const m of source.matchAll(/(?:option|flag)\(args, '--([a-z-]+)'\)/g)) used.add(m[1]!)
    }
    const declared = new Set(Object.values(commands).flatMap((c) => Object.keys(c.options)))
    expect(used.size).toBeGreaterThan(10)
    expect([...used].filter((name) => !declared.has(name))).toEqual([])
  })

  it('answers --help for every subcommand, and lab --help lists --workspace', async () => {
    for (const command of ['train', 'eval', 'serve', 'bench', 'prepare-data']) {
      const result = await lab(command, '--help')
      expect(result.code, `${command}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^usage: lab ${command}`))
    }
    expect((await lab('serve', '--help')).stdout).toContain('--workspace DIR')
    expect((await lab('--help')).stdout).toContain('--workspace DIR')
  })
})

describe('lab', () => {
  it('prints usage, and refuses unknown commands and bench cases', async () => {
    expect((await lab('--help')).stdout).toMatch(/train <experiment.json>/)
    expect((await lab('fly')).stderr).toMatch(/unknown command "fly"/)
    const cases = (await lab('bench', 'nothing')).stderr
    expect(cases).toMatch(/bench needs a case: /)
    for (const name of [
      'datasets',
      'letters',
      'vae-mnist',
      'vae-quality',
      'cvae-mnist',
      'conv-vae-mnist',
      'probe',
      'import-images'
    ])
      expect(cases).toMatch(new RegExp(`[ :,]${name}(,|$)`, 'm'))
    expect((await lab('bench', 'letters', '--rounds', '0')).stderr).toMatch(
      /--rounds must be a whole number from 1 to 20, not "0"/
    )
    expect((await lab('bench', 'conv-vae-mnist', '--train', '5')).stderr).toMatch(
      /--train must be a whole number from 128 to 60000, not "5"/
    )
  })

  // The benchmarks themselves, kept tiny (one font and seed; 256 images) and without the PyTorch
  // reference, which a fresh machine does not have: rounds, per-round lines, the summary last.
  const tinyBench = async (...args: string[]): Promise<Record<string, unknown>[]> => {
    const result = await lab('bench', ...args, '--rounds', '2', '--no-reference', '--json')
    expect(result.code, result.stderr).toBe(0)
    return result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  it('bench import-images: imports the generated PNGs and prints the rate beside the load and sharp', async () => {
    const result = await lab('bench', 'import-images', '--count', '40', '--json')
    expect(result.code, result.stderr).toBe(0)
    const line = JSON.parse(result.stdout.trim()) as Record<string, unknown>
    expect(line).toMatchObject({ case: 'import-images', images: 40, sharpConcurrency: 1 })
    expect(line['imagesPerSecond']).toBeGreaterThan(0)
    expect(typeof line['loadBefore']).toBe('number')
  })

  it('bench letters: each round trains every font and seed; the summary takes the median round', async () => {
    const lines = await tinyBench('letters', '--fonts', 'Font2', '--seeds', '1')
    // On the wasm backend the letters train on the lab's kernels.
    const runs = lines.filter((l) => l['engine'] === 'lab-kernels' && 'seed' in l)
    expect(runs.map((l) => l['round'])).toEqual([1, 2])
    // Same seed, same backend: the same run each round.
    expect(runs[0]!['epochs']).toBe(runs[1]!['epochs'])
    expect(runs.every((l) => l['solved'] === true && Number(l['seconds']) > 0)).toBe(true)
    const summary = lines.at(-1)!
    expect(summary).toMatchObject({
      case: 'letters',
      summary: true,
      runs: 1,
      solved: 1,
      rounds: 2,
      pytorch: {}
    })
    const perRound = lines.filter((l) => l['engine'] === 'lab-kernels' && 'medianSeconds' in l)
    expect(perRound).toHaveLength(2)
    expect(perRound.map((l) => l['medianSeconds'])).toContain(summary['medianSeconds'])
  })

  it('bench vae-mnist: the lab on 1 and 2 threads in each round, the medians in the summary', async () => {
    const lines = await tinyBench('vae-mnist', '--samples', '256', '--threads', '2')
    // On the wasm backend the VAE trains on the lab's kernels; the same engine on tfjs ops and
    // the naive autodiff step are measured once each for comparison.
    const runs = lines.filter((l) => l['engine'] === 'lab-kernels' && 'round' in l)
    expect(runs.map((l) => [l['round'], l['threads']])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2]
    ])
    expect(runs.every((l) => Number(l['samplesPerSecond']) > 0 && l['busyCore'] === false)).toBe(
      true
    )
    const summary = lines.at(-1)!
    expect(summary).toMatchObject({
      case: 'vae-mnist',
      summary: true,
      rounds: 2,
      threads: [1, 2],
      pytorchSamplesPerSecond: null,
      engine: 'lab-kernels'
    })
    const rates = summary['samplesPerSecond'] as number[]
    expect(runs.filter((l) => l['threads'] === 1).map((l) => l['samplesPerSecond'])).toContain(
      rates[0]
    )
    const scaling = lines.find((l) => l['ratio'] === 'lab2/lab1')
    expect(scaling?.['ratios']).toHaveLength(2)
    const onOps = lines.find((l) => l['engine'] === 'tfjs')
    expect(Number(onOps?.['samplesPerSecond'])).toBeGreaterThan(0)
    expect(summary['tfjsOpsSamplesPerSecond']).toBe(onOps?.['samplesPerSecond'])
    expect(Number(summary['naiveSamplesPerSecond'])).toBeGreaterThan(0)
  })

  it('bench vae-quality: each seed trains the recipe and reports its test negative ELBO', async () => {
    const result = await lab(
      'bench',
      'vae-quality',
      '--seeds',
      '1',
      '--epochs',
      '1',
      '--samples',
      '512',
      '--no-reference',
      '--json'
    )
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const run = lines.find((l) => l['engine'] === 'lab')!
    expect(run).toMatchObject({ case: 'vae-quality', seed: 1, epochs: 1, samples: 512 })
    // One epoch of 512 images: far from trained, but a finite loss of the right size.
    expect(Number(run['testLoss'])).toBeGreaterThan(100)
    expect(Number(run['testLoss'])).toBeLessThan(600)
    expect(Number(run['testLoss'])).toBeCloseTo(
      Number(run['testReconstruction']) + Number(run['testKl']),
      6
    )
    expect(String(run['trainedOn'])).toMatch(/^the kernels \((fma|plain)\) on \d threads?/)
    expect(lines.at(-1)).toMatchObject({
      summary: true,
      labTestLosses: [run['testLoss']],
      ratio: null
    })
  })

  it('bench vae-mnist --busy-core: measures with a busy-loop process alongside, gone afterwards', async () => {
    const lines = await tinyBench('vae-mnist', '--samples', '256', '--threads', '2', '--busy-core')
    const summary = lines.at(-1)!
    expect(summary).toMatchObject({ busyCore: true, threads: [1, 2] })
    const pid = Number(summary['busyCorePid'])
    expect(pid).toBeGreaterThan(0)
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/)
  })
})
