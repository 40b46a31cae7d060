import type { SweepMetric } from './sweep-results'
import type { SweepSpecInput } from './sweep'

// The Studies gallery: the practical's experiments as ready-made sweeps, as data. Each preset
// says what it reproduces, which figure answers the practical's question (a metric against a
// parameter, and what to look at in the lab), and how long it took here with `lab sweep
// <study id>` (test/studies.test.ts validates every sweep with the sweep schema).

export type StudyLab = 'letters' | 'denoising' | 'vae'

/** What the lab shows beside the results table once the study has run. */
export type StudyView =
  | 'latent' // the latent plane of the best run, with its labelled glyphs
  | 'new-letters' // the decode grid over the latent plane: letters that are not in the set
  | 'reconstructions' // the original glyphs beside each run's reconstructions
  | 'denoising' // original / noisy / denoised triplets
  | 'class-latent' // a VAE's test set in its latent plane, coloured by class
  | 'path' // a path through the latent plane between the named classes' centres

export interface Study {
  id: string
  title: string
  lab: StudyLab
  /** What of the practical it reproduces. */
  reproduces: string
  /** The figure: a metric against a parameter (small multiples over the other parameters). */
  figure?: { metric: SweepMetric; parameter: string }
  views: StudyView[]
  /** For `path`: the classes the path goes through, by name. */
  path?: string[]
  /** How long it took here (`lab sweep <id>`), said as measured. */
  time: string
  sweep: SweepSpecInput
  /** A shorter variant (fewer epochs, seeds or images) to see the shape of the result quickly. */
  quick?: { time: string; sweep: SweepSpecInput }
}

/** The practical's part 1 network and training settings. */
const letters = {
  kind: 'autoencoder',
  font: 'Font1',
  hidden: [25, 15, 10],
  latent: 2,
  activation: 'tanh',
  learningRate: 0.01,
  epochs: 3000,
  maxWrongPixels: 1,
  seed: 1
} as const

const denoising = {
  ...letters,
  kind: 'denoising',
  hidden: [25],
  epochs: 800,
  maxWrongPixels: null,
  noise: { kind: 'bitflip', level: 0.2, copies: 5 }
} as const

const vae = { kind: 'vae', hidden: [256], latent: 2, epochs: 50, seed: 1 } as const
/** The VAE studies' quick variant: a tenth of the images, 5 epochs. */
const QUICK_VAE = { trainSize: 6000, epochs: 5 } as const

/** Part 1a's recipes: Powell for each number of iterations, and the lab's default (Adam 0.02). */
const recipes = (...iterations: number[]) => ({
  parameter: 'recipe',
  variants: [
    ...iterations.map((epochs) => ({
      label: `Powell, ${epochs} iterations`,
      set: { optimizer: { kind: 'powell' }, epochs }
    })),
    {
      label: 'default recipe (Adam 0.02)',
      set: { optimizer: { kind: 'adam' }, learningRate: 0.02, epochs: 5000 }
    }
  ]
})

/** The practical's part 3 VAE on a built-in image set (MNIST or Fashion-MNIST). */
const vaeOn = (dataset: 'mnist' | 'fashion-mnist') => ({ ...vae, dataset }) as const

/** The first n glyphs of the set (a subset to train on). */
const first = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** The practical's subsets: the first 8 and 16 glyphs against the whole set. */
const GLYPH_SUBSETS = {
  parameter: 'glyphs',
  variants: [8, 16, 32].map((n) => ({
    label: n === 32 ? 'all 32' : `${n} glyphs`,
    set: { subset: first(n) }
  }))
}

/** The layer lists the practical compares: one, two and three hidden layers. */
const LAYERS = [[20], [25, 15], [25, 15, 10]]

/** A preset, its quick variant written as the changes to its sweep (the name gains "(quick)"). */
type StudyPreset = Omit<Study, 'quick'> & {
  quick?: { time: string } & Omit<Partial<SweepSpecInput>, 'name'>
}

function study({ quick, ...preset }: StudyPreset): Study {
  if (!quick) return preset
  const { time, ...changes } = quick
  const name = `${preset.sweep.name} (quick)`
  return { ...preset, quick: { time, sweep: { ...preset.sweep, ...changes, name } } }
}

export const STUDIES: Study[] = (
  [
    {
      id: 'whole-set',
      title: '1a: the whole set with 25-15-10',
      lab: 'letters',
      reproduces:
        'Part 1a: the 32 glyphs of Font1 through 35-25-15-10-2 and back, trained with Powell for 150 and for 50 iterations, and with the lab\u2019s default recipe (Adam, 0.02) for comparison, each stopping once every glyph is within 1 wrong pixel; then the latent plane and new letters decoded from it.',
      figure: { metric: 'wrongPixels', parameter: 'recipe' },
      views: ['latent', 'new-letters'],
      time: 'about 6.5 min',
      sweep: {
        name: '1a whole set 25-15-10',
        base: letters,
        grid: [recipes(150, 50)]
      },
      quick: {
        time: 'about 1 min',
        grid: [recipes(5)]
      }
    },
    {
      id: 'subset',
      title: '1a: training on a subset',
      lab: 'letters',
      reproduces:
        'Part 1a with fewer glyphs: the first 8 and 16 glyphs of Font1 against the whole set, with 25-15-10 (Adam); fewer glyphs are easier to place in a 2-D latent plane, and the plane between them decodes to new letters.',
      figure: { metric: 'epochs', parameter: 'glyphs' },
      views: ['latent', 'new-letters'],
      time: 'about 11 s',
      sweep: { name: '1a subsets', base: letters, grid: [GLYPH_SUBSETS], seeds: [1, 2, 3] }
    },
    {
      id: 'intermediate-layers',
      title: '1b: intermediate layers',
      lab: 'letters',
      reproduces:
        'Part 1b: one hidden layer of 20, two of 25-15 and the original three of 25-15-10 on the whole of Font1 (Adam, up to 3000 epochs or every glyph within 1 wrong pixel), three seeds each; the reconstructions set beside the original glyphs.',
      figure: { metric: 'wrongPixels', parameter: 'hidden' },
      views: ['reconstructions', 'latent'],
      time: 'about 17 s',
      sweep: {
        name: '1b intermediate layers',
        base: letters,
        grid: [{ parameter: 'hidden', values: LAYERS }],
        seeds: [1, 2, 3]
      },
      quick: { time: 'about 11 s', base: { ...letters, epochs: 300 }, seeds: [1, 2] }
    },
    {
      id: 'denoising-levels',
      title: '2: noise level and layers',
      lab: 'denoising',
      reproduces:
        'Part 2: denoising autoencoders of 25, 25-15 and 25-15-10 trained on bit-flip noise at 0.2 and 0.5 (5 noisy copies per glyph), judged by the wrong pixels left after denoising fresh noise.',
      figure: { metric: 'denoisedFreshNoise', parameter: 'noise.level' },
      views: ['denoising'],
      time: 'about 27 s',
      sweep: {
        name: '2 noise level x layers',
        base: denoising,
        grid: [
          { parameter: 'hidden', values: [[25], [25, 15], [25, 15, 10]] },
          { parameter: 'noise.level', values: [0.2, 0.5] }
        ],
        seeds: [1, 2]
      },
      quick: {
        time: 'about 14 s',
        base: { ...denoising, epochs: 200 },
        grid: [
          { parameter: 'hidden', values: [[25], [25, 15, 10]] },
          { parameter: 'noise.level', values: [0.2, 0.5] }
        ],
        seeds: undefined
      }
    },
    {
      id: 'denoising-latent',
      title: '2: latent neurons',
      lab: 'denoising',
      reproduces:
        'Part 2: how many latent neurons a denoising autoencoder (25 hidden, bit-flip 0.2, 5 copies) needs: 2, 4, 8 and 16.',
      figure: { metric: 'denoisedFreshNoise', parameter: 'latent' },
      views: ['denoising'],
      time: 'about 20 s',
      sweep: {
        name: '2 latent neurons',
        base: denoising,
        grid: [{ parameter: 'latent', values: [2, 4, 8, 16] }],
        seeds: [1, 2]
      },
      quick: {
        time: 'about 12 s',
        base: { ...denoising, epochs: 200 },
        grid: [{ parameter: 'latent', values: [2, 8] }],
        seeds: undefined
      }
    },
    {
      id: 'denoising-copies',
      title: '2: trained vs fresh noise, 5 and 20 copies',
      lab: 'denoising',
      reproduces:
        'Part 2: noise drawn once before training against noise drawn afresh each epoch, with 5 and 20 noisy copies per glyph (25 hidden, latent 8, bit-flip 0.2); the table gives the error on the training noise and on fresh noise.',
      figure: { metric: 'denoisedFreshNoise', parameter: 'noise.copies' },
      views: ['denoising'],
      time: 'about 45 s',
      sweep: {
        name: '2 trained vs fresh noise',
        base: { ...denoising, latent: 8 },
        grid: [
          { parameter: 'noise.fresh', values: [false, true] },
          { parameter: 'noise.copies', values: [5, 20] }
        ],
        seeds: [1, 2]
      },
      quick: {
        time: 'about 16 s',
        base: { ...denoising, latent: 8, epochs: 150 },
        seeds: undefined
      }
    },
    {
      id: 'denoising-subsets',
      title: '2: denoising subsets',
      lab: 'denoising',
      reproduces:
        'Part 2 on fewer glyphs: a denoising autoencoder (25 hidden, latent 8, bit-flip 0.2) on the first 8 and 16 glyphs against the whole set.',
      figure: { metric: 'denoisedFreshNoise', parameter: 'glyphs' },
      views: ['denoising'],
      time: 'about 18 s',
      sweep: {
        name: '2 denoising subsets',
        base: { ...denoising, latent: 8 },
        grid: [GLYPH_SUBSETS],
        seeds: [1, 2]
      }
    },
    {
      id: 'vae-mnist',
      title: '3: VAE on MNIST',
      lab: 'vae',
      reproduces:
        'Part 3: a dense VAE 784-256-2 on MNIST for 50 epochs; the test set in the latent plane coloured by digit, and a path 1 \u2192 9 \u2192 7 through the class centres.',
      views: ['class-latent', 'path'],
      path: ['1', '9', '7'],
      time: 'about 18 min',
      sweep: { name: '3 VAE MNIST', base: vaeOn('mnist') },
      quick: { time: 'about 30 s', base: { ...vaeOn('mnist'), ...QUICK_VAE } }
    },
    {
      id: 'vae-fashion',
      title: '3: VAE on Fashion-MNIST',
      lab: 'vae',
      reproduces:
        'Part 3: the same VAE on Fashion-MNIST for 50 epochs; the latent plane coloured by class with the class names, and a path Shirt \u2192 Dress \u2192 Trouser.',
      views: ['class-latent', 'path'],
      path: ['Shirt', 'Dress', 'Trouser'],
      time: 'about 18 min',
      sweep: { name: '3 VAE Fashion-MNIST', base: vaeOn('fashion-mnist') },
      quick: { time: 'about 30 s', base: { ...vaeOn('fashion-mnist'), ...QUICK_VAE } }
    }
  ] satisfies StudyPreset[]
).map(study)

/** A study by id, or undefined. */
export const studyById = (id: string): Study | undefined => STUDIES.find((s) => s.id === id)

/** The study a sweep of this name ran (its full or its quick variant). */
export const studyOfSweep = (name: string): Study | undefined =>
  STUDIES.find((s) => s.sweep.name === name || s.quick?.sweep.name === name)

/**
 * The centre (mean latent point) of each named class among a test set's codes, in the order
 * given: the waypoints of a path such as Shirt -> Dress -> Trouser. Null for a class absent.
 */
export function classCentres(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  classNames: readonly string[],
  path: readonly string[]
): (number[] | null)[] {
  return path.map((name) => {
    const label = classNames.indexOf(name)
    const members = points.filter((_, i) => labels[i] === label)
    if (label < 0 || members.length === 0) return null
    const width = members[0]!.length
    return Array.from(
      { length: width },
      (_, d) => members.reduce((sum, p) => sum + (p[d] ?? 0), 0) / members.length
    )
  })
}
