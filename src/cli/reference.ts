import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { projectRoot } from '../services/paths'

// Runs the PyTorch reference script (bench/reference_torch.py) when a Python with torch is
// installed: Debian's python3-torch, one thread unless asked. Returns its JSON lines, or why it
// did not run.

const CANDIDATES = [process.env['LAB_REFERENCE_PYTHON'], '/usr/bin/python3', 'python3'].filter(
  (p): p is string => Boolean(p)
)

function findPython(): string | null {
  for (const python of CANDIDATES) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' })
    if (probe.status === 0) return python
  }
  return null
}

export function runReference(
  args: readonly string[],
  threads = 1
): { lines: Record<string, unknown>[] } | { skipped: string } {
  const python = findPython()
  if (!python)
    return {
      skipped: 'PyTorch is not installed (apt-get install python3-torch libopenblas0-pthread)'
    }
  const script = resolve(projectRoot(), 'bench/reference_torch.py')
  if (!existsSync(script)) return { skipped: `${script} is missing` }
  const run = spawnSync(python, [script, ...args, '--threads', String(threads)], {
    encoding: 'utf8',
    env: {
      ...process.env,
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads)
    },
    maxBuffer: 64 << 20
  })
  if (run.status !== 0)
    return {
      skipped: `the PyTorch reference failed: ${(run.stderr || '').trim().split('\n').at(-1) ?? ''}`
    }
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { lines }
}

/** The VAE recipe both VAE benchmarks give PyTorch: 784-256-2, batch 128, Adam 1e-3. */
export const VAE_RECIPE_ARGS = [
  '--hidden',
  '256',
  '--latent',
  '2',
  '--batch',
  '128',
  '--lr',
  '0.001'
]
