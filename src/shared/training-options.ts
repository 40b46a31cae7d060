import { z } from 'zod'

// The settings every model kind's training shares: engine, activations, optimizer, learning-rate
// schedule, input noise and seed; and which engine a lab runs on.

export const backendNameSchema = z.enum(['tensorflow', 'wasm', 'cpu'])
export type BackendName = z.infer<typeof backendNameSchema>

export const activationSchema = z.enum(['tanh', 'relu', 'elu', 'sigmoid', 'linear'])
export type Activation = z.infer<typeof activationSchema>

export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)

export const optimizerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('adam'),
    beta1: z.number().min(0).max(0.9999).default(0.9),
    beta2: z.number().min(0).max(0.99999).default(0.999),
    epsilon: z.number().positive().max(1).default(1e-7),
    /**
     * Where epsilon goes: 'keras' (when absent) adds it to sqrt(v) before the bias correction,
     * as Keras and TensorFlow do; 'pytorch' adds it to the bias-corrected sqrt(v / (1 -
     * beta2^t)), as PyTorch and the Adam paper's algorithm 1 do. The same update with epsilon
     * 1/sqrt(1 - beta2^t) times larger in the first: 31.6x at the first step, 3.2x at the
     * 100th.
     */
    epsilonForm: z.enum(['keras', 'pytorch']).optional()
  }),
  z.strictObject({
    kind: z.literal('sgd'),
    momentum: z.number().min(0).max(0.999).default(0.9),
    nesterov: z.boolean().default(false)
  }),
  z.strictObject({
    kind: z.literal('rmsprop'),
    decay: z.number().min(0).max(0.9999).default(0.9),
    momentum: z.number().min(0).max(0.999).default(0),
    epsilon: z.number().positive().max(1).default(1e-7)
  }),
  /** Full-batch L-BFGS: one epoch is one iteration with a line search; the learning rate is unused. */
  z.strictObject({
    kind: z.literal('lbfgs'),
    history: z.number().int().min(2).max(50).default(10)
  }),
  /** Powell's derivative-free method: one epoch is one sweep over all directions; small networks only. */
  z.strictObject({ kind: z.literal('powell') })
])
export type OptimizerConfig = z.output<typeof optimizerSchema>
export type OptimizerKind = OptimizerConfig['kind']
/** The optimizers that step along a gradient (the others are full-batch L-BFGS and Powell). */
export type FirstOrderConfig = Extract<OptimizerConfig, { kind: 'adam' | 'sgd' | 'rmsprop' }>

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({
    kind: z.literal('step'),
    every: z.number().int().min(1),
    factor: z.number().positive().max(1)
  }),
  z.strictObject({ kind: z.literal('exponential'), rate: z.number().positive().max(1) }),
  z.strictObject({ kind: z.literal('cosine'), minimum: z.number().min(0) })
])
export type LearningRateSchedule = z.output<typeof scheduleSchema>

export const noiseKindSchema = z.enum(['bitflip', 'salt-pepper', 'gaussian'])
export type NoiseKind = z.infer<typeof noiseKindSchema>

/** Corruption for a denoising autoencoder: `level` is p for bit flips and salt-and-pepper, sigma for gaussian. */
export const noiseSchema = z.strictObject({
  kind: noiseKindSchema,
  level: z.number().min(0).max(2),
  copies: z.number().int().min(1).max(200).default(1),
  /** Draw the noise afresh each epoch (true) or once before training (false). */
  fresh: z.boolean().default(false),
  seed: seedSchema.default(1)
})
export type NoiseConfig = z.output<typeof noiseSchema>

/** Threads of the wasm backend's pool (tfjs creates at most 8 pthread workers). */
export const threadCountSchema = z.number().int().min(1).max(8)

/** `--threads N` from the command line, checked. */
export function parseThreads(value: string): number {
  const parsed = threadCountSchema.safeParse(Number(value))
  if (!parsed.success)
    throw new Error(`--threads must be a whole number from 1 to 8, not "${value}"`)
  return parsed.data
}

export const labInfoSchema = z.object({
  host: z.enum(['electron', 'browser']),
  backend: backendNameSchema,
  backendNote: z.string(),
  versions: z.record(z.string(), z.string())
})
export type LabInfo = z.infer<typeof labInfoSchema>
