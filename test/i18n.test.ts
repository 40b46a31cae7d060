import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'

// Every text the interface shows is a key in the locale files (ESLint's no-raw-text and
// no-missing-keys check the components); this checks the locales against each other: a key in
// one language and not in the other, an empty text, or a placeholder the translation dropped.
const root = join(import.meta.dirname, '..', 'src', 'shared', 'locales')
type Tree = { [key: string]: string | Tree }

function load(language: string): Tree {
  const merged: Tree = {}
  for (const file of readdirSync(join(root, language)).filter((f) => f.endsWith('.json'))) {
    const tree = JSON.parse(readFileSync(join(root, language, file), 'utf8')) as Tree
    const area = file.replace(/\.json$/, '')
    expect(Object.keys(tree), `${language}/${file} holds one top-level key, "${area}"`).toEqual([
      area
    ])
    Object.assign(merged, tree)
  }
  return merged
}

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of leaves(value, path)) out.set(k, v)
  }
  return out
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => m[1]!).sort()

describe('locales', () => {
  const en = leaves(load('en'))
  const es = leaves(load('es'))

  it('has the same area files in every language', () => {
    expect(readdirSync(join(root, 'es')).sort()).toEqual(readdirSync(join(root, 'en')).sort())
  })

  it('has every English key in Spanish and no Spanish key English lacks', () => {
    expect([...en.keys()].filter((k) => !es.has(k))).toEqual([])
    expect([...es.keys()].filter((k) => !en.has(k))).toEqual([])
  })

  it('has no empty text, and each translation keeps the placeholders of the English text', () => {
    for (const [key, text] of en) {
      expect(text.trim(), `en ${key}`).not.toBe('')
      const spanish = es.get(key) ?? ''
      expect(spanish.trim(), `es ${key}`).not.toBe('')
      expect(placeholders(spanish), `placeholders of ${key}`).toEqual(placeholders(text))
    }
  })
})

describe('the start language', () => {
  it('is the stored choice, else the first system language the app has, else English', async () => {
    const { startLanguage } = await import('../src/renderer/src/i18n')
    expect(startLanguage('es', ['en-US'])).toBe('es')
    expect(startLanguage(null, ['es-AR', 'en-US'])).toBe('es')
    expect(startLanguage(null, ['de-DE', 'es-419'])).toBe('es')
    expect(startLanguage('fr', ['pt-BR', 'en-GB'])).toBe('en')
    expect(startLanguage(null, [])).toBe('en')
  })
})

describe('a key no locale has', () => {
  it('is said on the console in every build (the e2e walks fail on it), and shows the English fallback else', async () => {
    const { i18n } = await import('../src/renderer/src/i18n')
    i18n.global.locale.value = 'en'
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      expect(i18n.global.t('letters.noSuchKey')).toBe('letters.noSuchKey')
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Not found 'letters.noSuchKey' key/))
      warn.mockClear()
      expect(i18n.global.t('letters.train.title')).toBe('Train')
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })
})

describe('the Studies gallery', () => {
  it('has every study of src/shared/studies.ts titled and described in every language', async () => {
    const { STUDIES } = await import('../src/shared/studies')
    for (const language of ['en', 'es']) {
      const texts = leaves(load(language))
      for (const study of STUDIES)
        for (const part of ['title', 'reproduces'])
          expect(texts.get(`studies.${study.id}.${part}`), `${language} ${study.id}`).toBeTruthy()
    }
  })
})
