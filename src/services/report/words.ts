import { AsyncLocalStorage } from 'node:async_hooks'
import enReport from '../../shared/locales/en/report.json'
import esReport from '../../shared/locales/es/report.json'
import enSweep from '../../shared/locales/en/sweep.json'
import esSweep from '../../shared/locales/es/sweep.json'
import type { ReportLanguage } from '../../shared/report'

// The report's words in the language asked for: the same locale files the interface reads
// (src/shared/locales/<language>/report.json, and sweep.json for the sweeps' metric names), so
// a report exported from the Spanish interface is in Spanish. The language is set once per
// report (`inLanguage`) and read by every part that writes text, however deep, without passing
// it through each function; reports built at the same time keep their own languages.

type Tree = { [key: string]: string | Tree }
const WORDS: Record<ReportLanguage, Tree> = {
  en: { ...enReport, ...enSweep },
  es: { ...esReport, ...esSweep }
}
const language = new AsyncLocalStorage<ReportLanguage>()

/** Runs `build` with the report's words in `lang`. */
export function inLanguage<T>(lang: ReportLanguage, build: () => T): T {
  return language.run(lang, build)
}

/** The report's current language (English outside `inLanguage`). */
export const reportLanguage = (): ReportLanguage => language.getStore() ?? 'en'

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined
  return typeof node === 'string' ? node : undefined
}

/** A text of the report by its key (`report.table.run`), with its `{placeholders}` filled. */
export function words(key: string, params: Record<string, string | number> = {}): string {
  const text = lookup(WORDS[reportLanguage()], key) ?? lookup(WORDS.en, key) ?? key
  return text.replace(/\{\s*(\w+)\s*\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole
  )
}

/** `words(key)` when the locales have the key, else `fallback` (a name they do not have yet). */
export const wordsOr = (key: string, fallback: string): string =>
  lookup(WORDS.en, key) === undefined ? fallback : words(key)
