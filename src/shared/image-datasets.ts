import { z } from 'zod'
import { MAX_CLASSES, MAX_IMPORT_SIZE, importedDatasetNameSchema } from './imported-dataset'

// The 28x28 grey image data sets image models train on: built-in (MNIST, Fashion-MNIST) or
// imported into the workspace; what the lab tells the page about them, and their images.

export const IMAGE_SIDE = 28
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE

/** The most values an image of any data set has (the largest imported size, RGB). */
export const MAX_IMAGE_VALUES = MAX_IMPORT_SIZE * MAX_IMPORT_SIZE * 3

/** Whether `n` values make a square image of 1 or 3 channels. */
export const isImageLength = (n: number): boolean =>
  [1, 3].some((c) => n % c === 0 && Number.isInteger(Math.sqrt(n / c)))

export const imageDatasetIdSchema = z.enum(['mnist', 'fashion-mnist'])
export type ImageDatasetId = z.infer<typeof imageDatasetIdSchema>

/** A data set the VAE trains on: a built-in one, or one imported into the workspace, by name. */
export const datasetNameSchema = z.union([imageDatasetIdSchema, importedDatasetNameSchema])
export type DatasetName = z.infer<typeof datasetNameSchema>

export const isBuiltInDataset = (name: string): name is ImageDatasetId =>
  (imageDatasetIdSchema.options as readonly string[]).includes(name)

/** What a session records of an imported data set: the sha256 of its prepared files. */
export const datasetHashSchema = z.string().regex(/^[0-9a-f]{64}$/)

/** The ten class names of each image data set, by label. */
export const CLASS_NAMES: Record<ImageDatasetId, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot'
  ]
}

export const datasetSummarySchema = z.object({
  id: datasetNameSchema,
  /** Built into the lab, or imported into the workspace (with its content hash). */
  origin: z.enum(['built-in', 'imported']),
  contentHash: datasetHashSchema.nullable(),
  available: z.boolean(),
  train: z.number().int().min(0),
  test: z.number().int().min(0),
  classNames: z.array(z.string()).min(1).max(MAX_CLASSES),
  /** 'ready', or why a model cannot train on it (the dense VAE takes 28x28 grey images only). */
  message: z.string(),
  /** Images are size x size pixels of 1 (grey) or 3 (RGB) channels. */
  size: z.number().int().min(1).max(MAX_IMPORT_SIZE),
  channels: z.union([z.literal(1), z.literal(3)])
})
export type DatasetSummary = z.infer<typeof datasetSummarySchema>

export const datasetImagesRequestSchema = z.strictObject({
  dataset: datasetNameSchema,
  split: z.enum(['train', 'test']),
  indices: z.array(z.number().int().min(0).max(99_999_999)).min(1).max(256)
})
export const datasetImagesResultSchema = z.object({
  images: z.array(z.array(z.number().int().min(0).max(255)).min(1).max(MAX_IMAGE_VALUES)),
  labels: z.array(
    z
      .number()
      .int()
      .min(0)
      .max(MAX_CLASSES - 1)
  )
})
