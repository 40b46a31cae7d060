import { mulberry32, permutation } from '../../shared/random'
import type { Split } from './types'

// Class names and the train/test split of decoded images. The split is the files' when every
// image came with one (train/ and test/ folders, train-/t10k- files, x_train/x_test); otherwise
// 15% of each class, chosen with a fixed seed, is kept for testing. Both splits are then shuffled
// (seeded), so that any prefix of the training set (a smaller training size) holds every class.

/** A decoded image's class and split (its pixels wait on disk, see store.ts). */
export interface Sample {
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

/** Which decoded images go to each split, in their order there, and their labels. */
export interface SplitPlan {
  /** Per split, indices into the samples given, in the prepared set's order. */
  order: Record<Split, number[]>
  labels: Record<Split, Uint8Array>
  perClass: Record<Split, number[]>
  fromFiles: boolean
}

/** The split and order of decoded images, from their labels and splits only (no pixels). */
export function planSplits(
  samples: readonly Sample[],
  classes: readonly string[],
  seed: number
): SplitPlan {
  const random = mulberry32(seed)
  const labelOf = new Map(classes.map((name, index) => [name, index]))
  const fromFiles = samples.every((s) => s.split !== null)
  const chosen: Record<Split, number[]> = { train: [], test: [] }
  const byClass = classes.map(() => [] as number[])
  samples.forEach((s, i) => {
    if (s.split) chosen[s.split].push(i)
    else byClass[labelOf.get(s.label)!]!.push(i)
  })
  for (const members of byClass) {
    const order = permutation(members.length, random)
    const tests = Math.round(members.length * TEST_SHARE)
    order.forEach((index, k) => chosen[k < tests ? 'test' : 'train'].push(members[index]!))
  }
  const perClass: Record<Split, number[]> = {
    train: classes.map(() => 0),
    test: classes.map(() => 0)
  }
  const build = (split: Split): { order: number[]; labels: Uint8Array } => {
    const members = chosen[split]
    const order = Array.from(permutation(members.length, random), (index) => members[index]!)
    const labels = new Uint8Array(order.length)
    order.forEach((index, k) => {
      const label = labelOf.get(samples[index]!.label)!
      labels[k] = label
      perClass[split][label]!++
    })
    return { order, labels }
  }
  const train = build('train')
  const test = build('test')
  return {
    order: { train: train.order, test: test.order },
    labels: { train: train.labels, test: test.labels },
    perClass,
    fromFiles
  }
}
