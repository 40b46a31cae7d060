import { computed, shallowRef } from 'vue'
import {
  isBuiltInDataset,
  type DatasetName,
  type DatasetSummary,
  CLASS_NAMES
} from '@shared/schemas'
import { labClient } from '../api/client'
import { i18n } from '../i18n'

interface Context {
  /** The data set on screen: the trained run's, else the one picked for the next run. */
  dataset: () => DatasetName
  fail: (e: unknown) => void
}

/** The VAE lab's data sets (part of the VAE store): the list, class names and test images. */
export function useVaeData(context: Context) {
  /** The data sets the lab has: the built-in ones, and those imported into the workspace. */
  const datasets = shallowRef<DatasetSummary[]>([])
  const loadDatasets = async (): Promise<void> => {
    try {
      datasets.value = await labClient().request('listDatasets', undefined)
    } catch (e) {
      context.fail(e)
    }
  }
  const classNames = computed((): readonly string[] => {
    const id = context.dataset()
    if (isBuiltInDataset(id)) return CLASS_NAMES[id]
    return datasets.value.find((d) => d.id === id)?.classNames ?? []
  })
  /**
   * The class names as the interface shows them: Fashion-MNIST's in the interface's language
   * (`classNames` keeps the data files' names, the ids paths and exports use).
   */
  const classLabels = computed((): readonly string[] =>
    context.dataset() === 'fashion-mnist'
      ? classNames.value.map((_, i) => i18n.global.t(`vae.classes.fashion.c${i}`))
      : classNames.value
  )

  /** The images' side and channels of the data set on screen (28x28 grey if not listed). */
  const imageShape = computed((): { side: number; channels: 1 | 3 } => {
    const summary = datasets.value.find((d) => d.id === context.dataset())
    return summary ? { side: summary.size, channels: summary.channels } : { side: 28, channels: 1 }
  })

  /** A test image of a data set (values 0-255), e.g. for the scatter's tooltip. */
  async function testImage(dataset: DatasetName, index: number): Promise<number[]> {
    const { images } = await labClient().request('datasetImages', {
      dataset,
      split: 'test',
      indices: [index]
    })
    return images[0] ?? []
  }

  /** The test images whose reconstructions the lab shows after each epoch, scaled to [0, 1]. */
  async function fixedImages(dataset: DatasetName): Promise<number[][]> {
    // Eight, or all of an imported set with fewer test images.
    const test = datasets.value.find((d) => d.id === dataset)?.test ?? 8
    const { images } = await labClient().request('datasetImages', {
      dataset,
      split: 'test',
      indices: Array.from({ length: Math.max(1, Math.min(8, test)) }, (_, i) => i)
    })
    return images.map((img) => img.map((v) => v / 255))
  }

  return { datasets, loadDatasets, classNames, classLabels, testImage, fixedImages, imageShape }
}
