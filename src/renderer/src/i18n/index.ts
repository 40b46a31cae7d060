import { createI18n } from 'vue-i18n'

/**
 * The interface's languages. Every text the app shows comes from a locale file under
 * `src/shared/locales/<language>/<area>.json` (one file per area of the app, whose top-level key is the
 * area: `letters.json` holds `{ "letters": { ... } }`), so two people translating two labs never
 * edit the same file. They live in src/shared so that the report service writes reports in the
 * same words. English is the reference; `test/i18n.test.ts` fails when a key of one
 * language is missing from the other, and ESLint (`@intlify/vue-i18n/no-missing-keys`,
 * `no-raw-text`) when a component shows text that is not a key, or a key that is in no locale.
 */
export const LANGUAGES = [
  { id: 'en', name: 'English' },
  { id: 'es', name: 'Español' }
] as const

export type Language = (typeof LANGUAGES)[number]['id']

type Messages = { [key: string]: string | Messages }

const files = import.meta.glob<Messages>('../../../shared/locales/*/*.json', {
  eager: true,
  import: 'default'
})

/** Each language's messages: its area files merged (each area is its own top-level key). */
export function messagesByLanguage(): Record<Language, Messages> {
  const byLanguage: Record<Language, Messages> = { en: {}, es: {} }
  for (const [path, messages] of Object.entries(files)) {
    const language = /locales\/([^/]+)\//.exec(path)?.[1]
    if (language === 'en' || language === 'es') Object.assign(byLanguage[language], messages)
  }
  return byLanguage
}

const STORAGE_KEY = 'lab.language'

function isLanguage(value: string | null | undefined): value is Language {
  return LANGUAGES.some((l) => l.id === value)
}

/**
 * The language to start in: the one the user picked last (kept in this browser profile), else the
 * first of the system's languages the app has (Electron's Chromium reports the OS's languages in
 * `navigator.languages`), else English.
 */
export function startLanguage(
  stored: string | null = safeStored(),
  system: readonly string[] = systemLanguages()
): Language {
  if (isLanguage(stored)) return stored
  for (const tag of system) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLanguage(base)) return base
  }
  return 'en'
}

function systemLanguages(): readonly string[] {
  const nav = globalThis.navigator as Navigator | undefined
  return nav?.languages ?? (nav?.language ? [nav.language] : [])
}

function safeStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null
  } catch {
    return null
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: startLanguage(),
  fallbackLocale: 'en',
  messages: messagesByLanguage(),
  // A missing key is a defect (test/i18n.test.ts and ESLint catch them before here); in a build
  // the text falls back to English rather than showing a key. It is said on the console in
  // every build, in vue-i18n's own words, so that the e2e walks (which run the built app) fail
  // on one (e2e/spanish.spec.ts).
  missingWarn: import.meta.env.DEV,
  fallbackWarn: import.meta.env.DEV,
  missing: (locale, key) => {
    console.warn(`[intlify] Not found '${key}' key in '${locale}' locale messages.`)
  }
})

/** Switches the interface's language and remembers the choice. */
export function setLanguage(language: Language): void {
  i18n.global.locale.value = language
  document.documentElement.lang = language === 'es' ? 'es-AR' : 'en'
  try {
    localStorage.setItem(STORAGE_KEY, language)
  } catch {
    // A profile without storage still switches; the choice lasts until the window closes.
  }
}

/** The interface's current language. */
export function currentLanguage(): Language {
  const value = i18n.global.locale.value
  return isLanguage(value) ? value : 'en'
}
