import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { root } from './helpers'

// The layers of ARCHITECTURE.md, as `npm run lint` enforces them (eslint.config.js): the real
// configuration lints a one-line file placed, by name, in each layer.

const eslint = new ESLint({ cwd: root })

/** The no-restricted-imports messages for `source` as if it were the file at `path`. */
async function restricted(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = probe\n`, {
    filePath: `${root}/${path}`
  })
  expect(result!.messages.filter((m) => m.fatal)).toEqual([])
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}
const imports = (what: string): string => `import { probe } from '${what}'`

describe('the layers of src/', () => {
  it('refuses an import of a higher layer, saying which layers may be imported', async () => {
    expect(await restricted('src/ml/probe.ts', imports('../services/training'))).toEqual([
      `'../services/training' import is restricted from being used by a pattern. src/ml may import only src/ml, src/shared (ARCHITECTURE.md, "Layers", says which layer may import which).`
    ])
    expect(
      await restricted('src/ml/kernels/probe.ts', imports('../../worker/models'))
    ).toHaveLength(1)
    expect(await restricted('src/shared/probe.ts', imports('../ml/inference'))).toHaveLength(1)
    expect(await restricted('src/worker/probe.ts', imports('../services/datasets'))).toHaveLength(1)
    expect(await restricted('src/services/probe.ts', imports('../host/serve'))).toHaveLength(1)
    expect(await restricted('src/main/probe.ts', imports('../cli/train'))).toHaveLength(1)
    expect(await restricted('src/host/probe.ts', imports('../main/menu'))).toHaveLength(1)
    expect(await restricted('src/preload/probe.ts', imports('../services/lab'))).toHaveLength(1)
  })

  it('lets each layer import the layers below it', async () => {
    expect(await restricted('src/ml/probe.ts', imports('../shared/schemas'))).toEqual([])
    expect(await restricted('src/worker/probe.ts', imports('../ml/inference'))).toEqual([])
    expect(await restricted('src/services/probe.ts', imports('../worker/models'))).toEqual([])
    expect(await restricted('src/services/probe.ts', imports('../ml/backend'))).toEqual([])
    expect(await restricted('src/main/probe.ts', imports('../services/lab'))).toEqual([])
    expect(await restricted('src/cli/probe.ts', imports('../host/serve'))).toEqual([])
    expect(await restricted('src/cli/probe.ts', imports('../ml/backend'))).toEqual([])
  })

  it('keeps the renderer and src/shared free of Node and of the main-side layers', async () => {
    for (const what of ['node:fs', 'fs', 'path', 'node:worker_threads'])
      for (const path of ['src/renderer/src/stores/probe.ts', 'src/shared/probe.ts'])
        expect(await restricted(path, imports(what)), `${path}: ${what}`).toHaveLength(1)
    for (const what of ['../../../ml/inference', '../../../services/lab', '../../../preload/index'])
      expect(
        await restricted('src/renderer/src/stores/probe.ts', imports(what)),
        what
      ).toHaveLength(1)
    expect(
      await restricted('src/renderer/src/stores/probe.ts', imports('@shared/schemas'))
    ).toEqual([])
    expect(
      await restricted('src/renderer/src/api/probe.ts', imports('../../../preload/bridge'))
    ).toEqual([])
  })

  it('lets only the stores call the API client', async () => {
    const lint = async (path: string): Promise<string[]> => {
      const [result] = await eslint.lintText(
        `<script setup lang="ts">\nimport { labClient } from '../api/client'\nlabClient()\n</script>\n<template><p /></template>\n`,
        { filePath: `${root}/${path}` }
      )
      return result!.messages
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => m.message)
    }
    expect(await lint('src/renderer/src/components/Probe.vue')).toEqual([
      `'../api/client' import is restricted from being used by a pattern. only the stores (and main.ts, which connects the client) call the lab's API; a component uses a store (ARCHITECTURE.md, "Layers", says which layer may import which).`
    ])
    expect(await restricted('src/renderer/src/stores/probe.ts', imports('../api/client'))).toEqual(
      []
    )
  })

  it('never lets the lab import its tests', async () => {
    expect(await restricted('src/services/probe.ts', imports('../../test/helpers'))).toHaveLength(1)
  })
})
