import { describe, expect, it } from 'vitest'
import { engineOptionsFromEnv } from '../src/services/engine-options'

describe('engine settings from the environment (the Electron app, npm start)', () => {
  it('reads LAB_BACKEND and LAB_THREADS', () => {
    expect(engineOptionsFromEnv({ LAB_BACKEND: 'cpu', LAB_THREADS: '3' })).toEqual({
      preferredBackend: 'cpu',
      threads: 3,
      warnings: []
    })
    expect(engineOptionsFromEnv({})).toEqual({ warnings: [] })
    expect(engineOptionsFromEnv({ LAB_BACKEND: '', LAB_THREADS: '' })).toEqual({ warnings: [] })
  })

  it('ignores bad values with a message naming the variable', () => {
    const options = engineOptionsFromEnv({ LAB_BACKEND: 'gpu', LAB_THREADS: '12' })
    expect(options.preferredBackend).toBeUndefined()
    expect(options.threads).toBeUndefined()
    expect(options.warnings).toEqual([
      'LAB_BACKEND must be tensorflow, wasm or cpu, not "gpu"; choosing automatically',
      'LAB_THREADS must be a whole number from 1 to 8, not "12"; using the default'
    ])
    expect(engineOptionsFromEnv({ LAB_THREADS: '1.5' }).warnings).toHaveLength(1)
  })
})
