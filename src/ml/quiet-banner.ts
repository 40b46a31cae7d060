import * as tf from '@tensorflow/tfjs'

/**
 * tfjs's CPU backend greets Node users once, on its first tensor, with a banner recommending
 * tfjs-node ("Hi, looks like you are running TensorFlow.js in Node.js..."). The lab says itself
 * which backend it runs on and why, so the banner is marked as already shown (tfjs 4.22 keeps
 * this in the backend's `firstUse` field; test/cli.test.ts checks that none is printed).
 */
export function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: unknown } | null
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false
}
