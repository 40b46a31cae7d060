import { describe, expect, it } from 'vitest'
import { interpolationPath, latentPath, samplePoints } from '../src/shared/latent'
import { mulberry32 } from '../src/shared/random'

// The latent maths the engine (ml/inference.ts) and the renderer's explorer share.

describe('latentPath', () => {
  it('joins the segments between waypoints, each waypoint once', () => {
    const a = [0, 0]
    const b = [1, 2]
    const c = [3, -1]
    const path = latentPath([a, b, c], 3)
    expect(path).toEqual([...interpolationPath(a, b, 3), ...interpolationPath(b, c, 3).slice(1)])
    expect(path).toHaveLength(5)
    expect(path[2]).toEqual(b)
  })

  it('refuses a path of one point or a bad step count', () => {
    expect(() => latentPath([[0, 0]], 3)).toThrow(/at least two points/)
    expect(() => latentPath([[0], [1]], 1)).toThrow(/2 to 200/)
    expect(() => latentPath([[0], [1]], 201)).toThrow(/2 to 200/)
  })
})

describe('samplePoints', () => {
  it('draws the same points from the same seed', () => {
    expect(samplePoints(5, 3, mulberry32(7))).toEqual(samplePoints(5, 3, mulberry32(7)))
    expect(samplePoints(5, 3, mulberry32(7))).not.toEqual(samplePoints(5, 3, mulberry32(8)))
  })

  it('draws from the prior N(0, I), or from a normal fitted to given codes', () => {
    const prior = samplePoints(4000, 2, mulberry32(1))
    const mean = (points: number[][], d: number): number =>
      points.reduce((s, p) => s + p[d]!, 0) / points.length
    expect(Math.abs(mean(prior, 0))).toBeLessThan(0.06)
    const codes = [
      [10, -4],
      [12, -4],
      [14, -4]
    ]
    const fitted = samplePoints(4000, 2, mulberry32(1), codes)
    expect(mean(fitted, 0)).toBeCloseTo(12, 0)
    // A dimension with no spread keeps a unit one (a constant would sample one point only).
    expect(new Set(fitted.map((p) => p[1])).size).toBeGreaterThan(1)
    expect(() => samplePoints(1, 2, mulberry32(1), [])).toThrow(/at least one latent code/)
  })
})
