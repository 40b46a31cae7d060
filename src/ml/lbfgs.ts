// Full-batch L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4) with a
// backtracking line search on the Armijo condition.
//
// Both full-batch methods (this and Powell's, powell.ts) evaluate the full batch many times a
// step, and on a large batch one evaluation is long: evaluations are asynchronous, so that the
// trainer can pause inside them (or stop them by throwing, which abandons the step and leaves
// theta as it was for L-BFGS).

export type LossAndGrad = (theta: Float32Array) => Promise<{ loss: number; grad: Float32Array }>

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

export interface Lbfgs {
  /** One iteration from theta (updated in place, only once it is complete); returns the new loss. */
  iterate(theta: Float32Array): Promise<number>
}

export function createLbfgs(evaluate: LossAndGrad, history: number, initial: Float32Array): Lbfgs {
  const s: Float64Array[] = []
  const y: Float64Array[] = []
  // The loss and gradient at the start, evaluated with the first iteration.
  let current: Awaited<ReturnType<LossAndGrad>> | null = null
  const start = Float32Array.from(initial)
  return {
    async iterate(theta) {
      current ??= await evaluate(start)
      const g = current.grad
      const n = g.length
      // Two-loop recursion: direction = -H g.
      const q = Float64Array.from(g)
      const alpha: number[] = []
      for (let i = s.length - 1; i >= 0; i--) {
        const rho = 1 / dot(y[i]!, s[i]!)
        const a = rho * dot(s[i]!, q)
        alpha[i] = a
        for (let k = 0; k < n; k++) q[k]! -= a * y[i]![k]!
      }
      const gamma = s.length
        ? dot(s.at(-1)!, y.at(-1)!) / dot(y.at(-1)!, y.at(-1)!)
        : 1 / Math.max(1e-12, Math.sqrt(dot(g, g)))
      for (let k = 0; k < n; k++) q[k]! *= gamma
      for (let i = 0; i < s.length; i++) {
        const rho = 1 / dot(y[i]!, s[i]!)
        const b = rho * dot(y[i]!, q)
        for (let k = 0; k < n; k++) q[k]! += s[i]![k]! * (alpha[i]! - b)
      }
      let slope = -dot(g, q)
      // Not a descent direction (numerical trouble): restart from steepest descent. (The
      // pairs are forgotten once the line search is over: a stop inside it keeps them.)
      const restart = !(slope < 0)
      if (restart) {
        for (let k = 0; k < n; k++) q[k] = g[k]! * gamma
        slope = -dot(g, q)
      }
      let step = 1
      const trial = new Float32Array(n)
      let next = current
      for (let tries = 0; tries < 30; tries++) {
        for (let k = 0; k < n; k++) trial[k] = theta[k]! - step * q[k]!
        next = await evaluate(trial)
        if (Number.isFinite(next.loss) && next.loss <= current.loss + 1e-4 * step * slope) break
        step *= 0.5
      }
      if (restart) {
        s.length = 0
        y.length = 0
      }
      const sk = new Float64Array(n)
      const yk = new Float64Array(n)
      for (let k = 0; k < n; k++) {
        sk[k] = trial[k]! - theta[k]!
        yk[k] = next.grad[k]! - g[k]!
      }
      if (!Number.isFinite(next.loss) || next.loss > current.loss) {
        // No acceptable step along this direction: forget the curvature pairs and start again
        // from steepest descent next iteration.
        s.length = 0
        y.length = 0
        return current.loss
      }
      theta.set(trial)
      if (dot(sk, yk) > 1e-10) {
        s.push(sk)
        y.push(yk)
        if (s.length > history) {
          s.shift()
          y.shift()
        }
      }
      current = next
      return current.loss
    }
  }
}
