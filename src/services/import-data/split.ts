import { mulberry32, permutation } from '../../shared/random'
import type { Target } from './decode'
import type { PreparedSplit } from '../../ml/data/imported'
import type { Split } from './types'

// Class names and the train/test split of decoded images. The split is the files' when every
// image came with one (train/ and test/ folders, train-/t10k- files, x_train/x_test); otherwise
// 15% of each class, chosen with a fixed seed, is kept for testing. Both splits are then shuffled
// (seeded), so that any prefix of the training set (a smaller training size) holds every class.

export interface Sample {
  pixels: Uint8Array
  label: string
  split: Split | null
}

export const TEST_SHARE = 0.15

/** The distinct labels: in numeric order when they are all whole numbers, else sorted. */
export function classNamesOf(samples: readonly { label: string }[]): string[] {
  const names = [...new Set(samples.map((s) => s.label))]
  if (names.every((n) => /^-?\d+$/.test(n))) return names.sort((a, b) => Number(a) - Number(b))
  return names.sort((a, b) => a.localeCompare(b))
}

export function assignSplits(
  samples: readonly Sample[],
  classes: readonly string[],
  target: Target,
  seed: number
): {
  splits: Record<Split, PreparedSplit>
  perClass: Record<Split, number[]>
  fromFiles: boolean
} {
  const random = mulberry32(seed)
  const labelOf = new Map(classes.map((name, index) => [name, index]))
  const fromFiles = samples.every((s) => s.split !== null)
  const chosen: Record<Split, Sample[]> = { train: [], test: [] }
  const byClass = classes.map(() => [] as Sample[])
  for (const s of samples) {
    if (s.split) chosen[s.split].push(s)
    else byClass[labelOf.get(s.label)!]!.push(s)
  }
  for (const members of byClass) {
    const order = permutation(members.length, random)
    const tests = Math.round(members.length * TEST_SHARE)
    order.forEach((index, k) => chosen[k < tests ? 'test' : 'train'].push(members[index]!))
  }
  const pixels = target.size * target.size * target.channels
  const perClass: Record<Split, number[]> = {
    train: classes.map(() => 0),
    test: classes.map(() => 0)
  }
  const build = (split: Split): PreparedSplit => {
    const members = chosen[split]
    const order = permutation(members.length, random)
    const images = new Uint8Array(members.length * pixels)
    const labels = new Uint8Array(members.length)
    order.forEach((index, k) => {
      const s = members[index]!
      const label = labelOf.get(s.label)!
      images.set(s.pixels, k * pixels)
      labels[k] = label
      perClass[split][label]!++
    })
    return { images, labels }
  }
  return { splits: { train: build('train'), test: build('test') }, perClass, fromFiles }
}
