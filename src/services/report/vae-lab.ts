import { vaeCurvesOption, vaeScatterOption } from '../../shared/charts/vae-options'
import type { ExperimentOf } from '../../shared/experiments'
import { tileImages } from '../../shared/figures'
import { gridPoints, latentPath, samplePoints } from '../../shared/latent'
import { mulberry32 } from '../../shared/random'
import type { SessionSummary } from '../../shared/session'
import { chartSvg } from './charts'
import { escapeHtml, figure, image, section } from './html'
import { pngDataUri } from './images'
import type { LabPart } from './types'

// The VAE lab's part of a report: the loss parts per epoch (all runs), and per run its test set
// in the latent plane, the reconstructions by epoch, a decode grid, an interpolation path and
// samples from the prior, decoded with the run's network.

type VaeRun = SessionSummary & { experiment: ExperimentOf<'vae'> }
const isVaeRun = (run: SessionSummary): run is VaeRun => run.experiment.kind === 'vae'

/** The range of a grid spaced by the prior's quantiles, as the lab's explorer uses. */
const PRIOR_RANGE: [[number, number], [number, number]] = [
  [-2.5, 2.5],
  [-2.5, 2.5]
]

/** The course's paths: digits 1 -> 9 -> 7, Shirt -> Dress -> Trouser; an imported set's first classes. */
const COURSE_PATHS: Record<string, number[]> = { mnist: [1, 9, 7], 'fashion-mnist': [6, 3, 1] }

function curveOf(run: VaeRun): { epoch: number; reconstruction: number; kl: number }[] {
  const epochs = run.history['epoch'] ?? []
  const recon = run.history['reconstruction'] ?? []
  const kl = run.history['kl'] ?? []
  return epochs.flatMap((e, i) =>
    e !== null && recon[i] != null && kl[i] != null
      ? [{ epoch: e, reconstruction: recon[i]!, kl: kl[i]! }]
      : []
  )
}

const png = async (
  images: readonly (readonly number[])[],
  perRow: number,
  scale = 2
): Promise<string> => pngDataUri(tileImages(images, perRow, { scale }))

async function runFigures(run: VaeRun, part: LabPart): Promise<string> {
  const { sections, context, view } = part
  const e = run.experiment
  const name = part.names.get(run.id) ?? run.id
  const out: string[] = []
  const needsTestSet = sections.has('vae-scatter') || sections.has('interpolation')
  const test = needsTestSet ? await context.inference.testSet(run.id) : null
  const classNames = await context.classNames(e.dataset)

  if (sections.has('vae-scatter') && test && e.latent >= 2) {
    const svg = chartSvg(vaeScatterOption(test.points, test.labels, classNames), 620, 520)
    out.push(
      section(
        'vae-scatter',
        figure(
          'vae-scatter',
          `${name}: the ${test.points.length.toLocaleString('en-US')} test images' latent means (z1, z2), coloured by class`,
          svg,
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('vae-images') && run.epochImages?.length) {
    const rows = run.epochImages.flatMap((r) => r.images.map((img) => img.map((v) => v / 255)))
    const perRow = run.epochImages[0]!.images.length
    const uri = await png(rows, perRow)
    const epochs = run.epochImages.map((r) => r.epoch).join(', ')
    out.push(
      section(
        'vae-images',
        figure(
          'vae-epoch-images',
          `${name}: the same test images reconstructed after epochs ${epochs} (a row per epoch, top to bottom)`,
          image(uri, `${name} reconstructions by epoch`),
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('decode-grid') && e.latent >= 1) {
    const n = view.vae.gridSize
    const points = gridPoints(e.latent, {
      n,
      range: PRIOR_RANGE,
      spacing: 'normal',
      dims: e.latent >= 2 ? [0, 1] : [0, 0]
    })
    const patterns = await context.inference.decode(run.id, points)
    const uri = await png(patterns, n, 1)
    out.push(
      section(
        'decode-grid',
        figure(
          'vae-decode-grid',
          `${name}: ${n} × ${n} images decoded over the latent plane, spaced by the prior's quantiles (z1 left to right, z2 bottom to top)`,
          image(uri, `${name} decode grid`),
          { runId: run.id }
        )
      )
    )
  }
  if (sections.has('interpolation') && test) {
    const own =
      view.vae.runId === run.id && view.vae.waypoints.length >= 2 ? view.vae.waypoints : null
    let waypoints = own
    let caption = 'through the points set in the lab'
    if (!waypoints) {
      const classes = (COURSE_PATHS[e.dataset] ?? [0, 1, 2]).filter((c) => c < classNames.length)
      // Each class's mean code (of its test images).
      waypoints = classes.flatMap((c) => {
        const codes = test.points.filter((_, i) => test.labels[i] === c)
        return codes.length
          ? [codes[0]!.map((_, d) => codes.reduce((s, p) => s + (p[d] ?? 0), 0) / codes.length)]
          : []
      })
      caption = `through the mean codes of ${classes.map((c) => classNames[c]).join(' → ')}`
    }
    if (waypoints.length >= 2) {
      const steps = view.vae.pathSteps
      const patterns = await context.inference.decode(run.id, latentPath(waypoints, steps))
      const uri = await png(patterns, patterns.length)
      out.push(
        section(
          'interpolation',
          figure(
            'vae-path',
            `${name}: an interpolation path ${caption}, ${steps} steps per segment`,
            image(uri, `${name} interpolation path`),
            { runId: run.id, wide: true }
          )
        )
      )
    }
  }
  if (sections.has('samples')) {
    const points = samplePoints(12, e.latent, mulberry32(e.seed))
    const patterns = await context.inference.decode(run.id, points)
    const uri = await png(patterns, 12)
    out.push(
      section(
        'samples',
        figure(
          'vae-samples',
          `${name}: 12 new images decoded from points drawn from the prior N(0, I)`,
          image(uri, `${name} samples`),
          { runId: run.id, wide: true }
        )
      )
    )
  }
  return out.length
    ? `<div class="run" data-run="${escapeHtml(run.id)}"><h4>${escapeHtml(name)}</h4>${out.join('')}</div>`
    : ''
}

/** The VAE lab's part of the report. */
export async function vaeLab(part: LabPart): Promise<string> {
  const runs = part.runs.filter(isVaeRun)
  if (runs.length === 0) return ''
  const out: string[] = []
  if (part.sections.has('loss')) {
    const svg = chartSvg(
      vaeCurvesOption(
        runs.map((run) => ({
          name: part.names.get(run.id) ?? run.id,
          color: part.colors.get(run.id) ?? '#2f5bd3',
          curve: curveOf(run)
        }))
      ),
      900,
      320
    )
    out.push(
      section(
        'loss',
        figure('vae-loss', 'Reconstruction (left axis) and KL (right axis) per epoch', svg, {
          wide: true
        })
      )
    )
  }
  if (part.sections.has('compare') && runs.length > 1) {
    const last = runs.flatMap((r) => {
      const images = r.epochImages?.at(-1)?.images
      return images ? [{ name: part.names.get(r.id) ?? r.id, images }] : []
    })
    if (last.length > 1) {
      const perRow = Math.max(...last.map((l) => l.images.length))
      const uri = await png(
        last.flatMap((l) => l.images.map((img) => img.map((v) => v / 255))),
        perRow
      )
      out.push(
        section(
          'compare',
          figure(
            'vae-compare',
            `The same test images reconstructed by each run after its last epoch, a row per run: ${last.map((l) => l.name).join('; ')}`,
            image(uri, 'compared runs'),
            { wide: true }
          )
        )
      )
    }
  }
  for (const run of runs) out.push(await runFigures(run, part))
  return out.join('')
}
