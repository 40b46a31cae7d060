// Powell's conjugate-direction method (Powell, 1964; as in Numerical Recipes, 3rd ed., 10.7),
// with golden-section line minimisation. Derivative-free, for small networks only: one sweep
// costs (parameters + 1) line searches.

/** The loss at theta; asynchronous so that the trainer can pause or stop inside a sweep (lbfgs.ts). */
export type LossOnly = (theta: Float32Array) => Promise<number>

export const POWELL_MAX_PARAMS = 6000

async function lineMinimise(
  f: LossOnly,
  theta: Float32Array,
  dir: Float64Array,
  f0: number,
  scale: number
): Promise<{ step: number; loss: number }> {
  const n = theta.length
  const point = new Float32Array(n)
  const at = async (t: number): Promise<number> => {
    for (let k = 0; k < n; k++) point[k] = theta[k]! + t * dir[k]!
    const value = await f(point)
    return Number.isFinite(value) ? value : Infinity
  }
  // Bracket a minimum starting from steps of `scale` in either direction.
  let a = 0
  let fa = f0
  let b = scale
  let fb = await at(b)
  if (fb > fa) {
    b = -scale
    fb = await at(b)
    if (fb > fa) {
      // The minimum lies between -scale and scale: search there.
      return golden(at, -scale, 0, scale, f0)
    }
  }
  let c = b + 1.618 * (b - a)
  let fc = await at(c)
  for (let i = 0; i < 20 && fc < fb; i++) {
    a = b
    fa = fb
    b = c
    fb = fc
    c = b + 1.618 * (b - a)
    fc = await at(c)
  }
  void fa
  return golden(at, a, b, c, fb)
}

async function golden(
  at: (t: number) => Promise<number>,
  a: number,
  b: number,
  c: number,
  fb: number
): Promise<{ step: number; loss: number }> {
  const R = 0.381966
  let lo = Math.min(a, c)
  let hi = Math.max(a, c)
  let x = b
  let fx = fb
  for (let i = 0; i < 12; i++) {
    const u = x - lo > hi - x ? x - R * (x - lo) : x + R * (hi - x)
    const fu = await at(u)
    if (fu < fx) {
      if (u < x) hi = x
      else lo = x
      x = u
      fx = fu
    } else if (u < x) lo = u
    else hi = u
  }
  return { step: x, loss: fx }
}

export interface Powell {
  /**
   * One sweep over every direction from theta (updated in place as it goes); returns the new
   * loss. A stop thrown by an evaluation leaves theta part-way: the caller restores it.
   */
  sweep(theta: Float32Array): Promise<number>
}

export function createPowell(f: LossOnly, size: number): Powell {
  if (size > POWELL_MAX_PARAMS) {
    throw new Error(
      `Powell's method is for small networks: this one has ${size} parameters (at most ${POWELL_MAX_PARAMS})`
    )
  }
  // Directions start as the coordinate axes; only replaced ones are stored.
  const replaced = new Map<number, Float64Array>()
  const axis = (i: number): Float64Array => {
    const r = replaced.get(i)
    if (r) return r
    const d = new Float64Array(size)
    d[i] = 1
    return d
  }
  let scale = 0.5
  return {
    async sweep(theta) {
      const start = Float32Array.from(theta)
      let loss = await f(theta)
      const startLoss = loss
      let biggestDrop = 0
      let biggestIndex = 0
      for (let i = 0; i < size; i++) {
        const dir = axis(i)
        const { step, loss: next } = await lineMinimise(f, theta, dir, loss, scale)
        if (next < loss) {
          for (let k = 0; k < size; k++) theta[k]! += step * dir[k]!
          if (loss - next > biggestDrop) {
            biggestDrop = loss - next
            biggestIndex = i
          }
          loss = next
        }
      }
      // Replace the direction of largest decrease by the sweep's overall displacement.
      const overall = new Float64Array(size)
      let norm = 0
      for (let k = 0; k < size; k++) {
        overall[k] = theta[k]! - start[k]!
        norm += overall[k]! ** 2
      }
      if (norm > 0 && startLoss - loss > 0) {
        const { step, loss: next } = await lineMinimise(f, theta, overall, loss, 1)
        if (next < loss) {
          for (let k = 0; k < size; k++) theta[k]! += step * overall[k]!
          loss = next
        }
        replaced.set(biggestIndex, overall)
      }
      scale = Math.max(0.01, scale * 0.8)
      return loss
    }
  }
}
