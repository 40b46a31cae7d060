// First-order optimizer steps (Adam, momentum SGD, RMSprop) over a flat vector, as the lab's
// tf.train optimizers compute them (../../optimizers.ts). Part of the dense kernels (dense.ts).

// Optimizer steps over a flat vector padded to a multiple of 4 (padding gradients are zero).

/** Adam with moments kept divided by (1 - beta); eps and stepSize scaled to match. */
export function adam(theta: usize, grad: usize, m: usize, v: usize, count: i32, beta1: f32, beta2: f32, eps: f32, stepSize: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), e = f32x4.splat(eps), s = f32x4.splat(stepSize)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const mN = f32x4.add(f32x4.mul(v128.load(m + off), b1), g)
    const vN = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(g, g))
    const step = f32x4.mul(f32x4.div(mN, f32x4.add(f32x4.sqrt(vN), e)), s)
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), step))
    v128.store(m + off, mN)
    v128.store(v + off, vN)
  }
}

export function sgd(theta: usize, grad: usize, velocity: usize, count: i32, momentum: f32, nesterov: bool, lr: f32): void {
  const mu = f32x4.splat(momentum), rate = f32x4.splat(lr)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const next = f32x4.add(f32x4.mul(v128.load(velocity + off), mu), g)
    const direction = nesterov ? f32x4.add(g, f32x4.mul(next, mu)) : next
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), f32x4.mul(direction, rate)))
    v128.store(velocity + off, next)
  }
}

export function rmsprop(theta: usize, grad: usize, square: usize, velocity: usize, count: i32, decay: f32, eps: f32, momentum: f32, lr: f32): void {
  const rho = f32x4.splat(decay), rest = f32x4.splat(<f32>1 - decay), e = f32x4.splat(eps)
  const mu = f32x4.splat(momentum), rate = f32x4.splat(lr)
  for (let i = 0; i < count; i += 4) {
    const off = (<usize>i) << 2
    const g = v128.load(grad + off)
    const sq = f32x4.add(f32x4.mul(v128.load(square + off), rho), f32x4.mul(f32x4.mul(g, g), rest))
    const update = f32x4.add(f32x4.mul(v128.load(velocity + off), mu), f32x4.mul(f32x4.div(g, f32x4.add(f32x4.sqrt(sq), e)), rate))
    v128.store(theta + off, f32x4.sub(v128.load(theta + off), update))
    v128.store(square + off, sq)
    v128.store(velocity + off, update)
  }
}
