import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { importDataset } from '../services/import-data'
import { option } from './args'
import type { Print } from './bench'

// `lab bench import-images [--count N]` (also `import-data`): imports N generated 28x28 grey PNGs
// (default 70,000, the size of MNIST; generated once, not measured) in ten class folders, and
// reports images per second (target: at least 2,000), the CPU time it took, the machine's load
// around it and sharp's concurrency (libvips threads per image, libuv's pool); beside it, the time
// to only read the same files, the floor any importer has.

const DISTINCT = 500

async function generate(dir: string, count: number): Promise<void> {
  // A few hundred distinct images, written round-robin: each file is decoded all the same.
  const images: Buffer[] = []
  for (let i = 0; i < DISTINCT; i++) {
    const raw = Buffer.alloc(28 * 28)
    for (let k = 0; k < raw.length; k++) raw[k] = (k * (i + 3) + i * 17) % 256
    // Grey PNGs (colour type 0), as MNIST's images are shipped as PNG.
    images.push(
      await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toBuffer()
    )
  }
  for (let label = 0; label < 10; label++) await mkdir(join(dir, String(label)))
  const writes: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    writes.push(writeFile(join(dir, String(i % 10), `${i}.png`), images[i % DISTINCT]!))
    if (writes.length === 256) await Promise.all(writes.splice(0))
  }
  await Promise.all(writes)
}

async function readAll(dir: string): Promise<number> {
  let bytes = 0
  for (const folder of await readdir(dir)) {
    const names = await readdir(join(dir, folder))
    for (let i = 0; i < names.length; i += 64)
      for (const data of await Promise.all(
        names.slice(i, i + 64).map((n) => readFile(join(dir, folder, n)))
      ))
        bytes += data.length
  }
  return bytes
}

export async function benchImport(print: Print, args: readonly string[]): Promise<void> {
  const count = Number(option(args, '--count') ?? 70000)
  if (!Number.isInteger(count) || count < 10)
    throw new Error(`--count must be a whole number of at least 10`)
  const scratch = await mkdtemp(join(tmpdir(), 'lab-bench-import-'))
  try {
    const source = join(scratch, 'images')
    await mkdir(source)
    await generate(source, count)
    let t = performance.now()
    await readAll(source)
    const readSeconds = (performance.now() - t) / 1000
    const loadBefore = loadavg()[0]!
    const cpu = process.cpuUsage()
    t = performance.now()
    const report = await importDataset({
      source,
      datasetsRoot: join(scratch, 'datasets'),
      name: 'bench'
    })
    const seconds = (performance.now() - t) / 1000
    const used = process.cpuUsage(cpu)
    const cpuSeconds = (used.user + used.system) / 1e6
    const imported = report.manifest.counts.train + report.manifest.counts.test
    const rate = imported / seconds
    const sharpThreads = sharp.concurrency()
    const threadPool = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4)
    print(
      {
        case: 'import-images',
        images: imported,
        seconds,
        imagesPerSecond: rate,
        targetImagesPerSecond: 2000,
        cpuSeconds,
        readOnlySeconds: readSeconds,
        cores: availableParallelism(),
        loadBefore,
        loadAfter: loadavg()[0]!,
        sharpConcurrency: sharpThreads,
        threadPool
      },
      `import-images: ${imported} 28x28 grey PNGs in ${seconds.toFixed(2)} s = ${Math.round(rate)} images/s (target >= 2000); ` +
        `${cpuSeconds.toFixed(2)} s of CPU on ${availableParallelism()} cores; reading the files alone ${readSeconds.toFixed(2)} s; ` +
        `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after; ` +
        `sharp.concurrency ${sharpThreads} (libvips threads per image), libuv's pool of ${threadPool} threads`
    )
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
