import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import { builtinModules } from 'node:module'
import vueI18n from '@intlify/eslint-plugin-vue-i18n'

// The layers of src/ (ARCHITECTURE.md, "Layers"): which folders a file may not import. A relative
// import is matched by the folder it climbs into (`../services/x`, `../../ml/y`), so the renderer's
// own folders must not be named after a layer.
const LAYERS = ['shared', 'ml', 'worker', 'services', 'main', 'host', 'cli', 'preload', 'renderer']
const WHY = 'ARCHITECTURE.md, "Layers", says which layer may import which'
const into = (folders, climbs = '+') => `^(\\.\\./)${climbs}(${folders.join('|')})(/|$)`
/** The rule for a layer that may import `allowed` (itself and the layers below it) and no other. */
const layer = (name, allowed, extra = {}) => {
  const banned = LAYERS.filter(
    (l) => l !== name && !allowed.includes(l) && !(extra.checkedApart ?? []).includes(l)
  )
  const shown = [name, ...allowed].map((l) => `src/${l}`).join(', ')
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: extra.paths ?? [],
        patterns: [
          {
            regex: into(banned, extra.climbs),
            message: `src/${name} may import only ${shown} (${WHY}).`
          },
          {
            regex: '^(\\.\\./)+(test|e2e)(/|$)',
            message: 'the lab never imports its tests.'
          },
          ...(extra.patterns ?? [])
        ]
      }
    ]
  }
}
/** Node's modules, for code that runs in the page (the renderer, and src/shared that it imports). */
const noNode = {
  paths: builtinModules
    .filter((m) => !m.startsWith('_'))
    .map((name) => ({ name, message: `code that runs in the page cannot use Node (${WHY}).` })),
  patterns: [{ regex: '^node:', message: `code that runs in the page cannot use Node (${WHY}).` }]
}
const rendererRule = (patterns = []) =>
  layer('renderer', ['shared'], {
    // A renderer file sits at least two folders below src/ (src/renderer/src/), so an import of
    // another layer climbs twice or more, and a single `../` stays inside the renderer (e.g. a
    // components/shared/ folder). The preload's bridge.d.ts declares the API the Electron client
    // calls (types only).
    climbs: '{2,}',
    checkedApart: ['preload'],
    paths: noNode.paths,
    patterns: [
      ...noNode.patterns,
      {
        regex: '^(\\.\\./)+preload/(?!bridge$)',
        message: `the renderer may import only the preload's bridge types (${WHY}).`
      },
      ...patterns
    ]
  })
/** Components, views and composables reach the lab through the stores (issue 15, item 5). */
const viaStores = {
  regex: '^(\\.\\./)+api(/|$)',
  message: `only the stores (and main.ts, which connects the client) call the lab's API; a component uses a store (${WHY}).`
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'resources/**',
      'test-results/**',
      'playwright-report/**',
      'e2e/.artifacts/**',
      // AssemblyScript (kernels compiled to WebAssembly), type-checked by its own compiler.
      'src/ml/kernels/assembly/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        sourceType: 'module'
      }
    },
    rules: {
      // Every component is written in TypeScript.
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      // Layout is Prettier's job.
      'vue/max-attributes-per-line': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off'
    }
  },
  {
    files: ['**/*.{ts,vue}'],
    rules: {
      // TypeScript checks names itself, including DOM and Node globals.
      'no-undef': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  // Layers, top to bottom: the entries (main, host, cli; preload and the worker are entries of
  // their own processes and threads), services, the worker and ml, shared.
  { files: ['src/shared/**'], rules: layer('shared', [], noNode) },
  { files: ['src/ml/**'], rules: layer('ml', ['shared']) },
  { files: ['src/worker/**'], rules: layer('worker', ['ml', 'shared']) },
  { files: ['src/services/**'], rules: layer('services', ['worker', 'ml', 'shared']) },
  { files: ['src/main/**'], rules: layer('main', ['services', 'worker', 'ml', 'shared']) },
  { files: ['src/host/**'], rules: layer('host', ['services', 'worker', 'ml', 'shared']) },
  // `lab serve` is the browser host, started from the CLI.
  { files: ['src/cli/**'], rules: layer('cli', ['host', 'services', 'worker', 'ml', 'shared']) },
  { files: ['src/preload/**'], rules: layer('preload', ['shared']) },
  { files: ['src/renderer/**'], rules: rendererRule() },
  {
    files: ['src/renderer/**'],
    ignores: ['src/renderer/src/stores/**', 'src/renderer/src/api/**', 'src/renderer/src/main.ts'],
    rules: rendererRule([viaStores])
  },
  // The interface's text comes from the locale files (src/renderer/src/i18n): a component that
  // shows raw text, or uses a key no locale has, fails the lint.
  {
    files: ['src/renderer/**/*.vue'],
    plugins: { '@intlify/vue-i18n': vueI18n },
    settings: {
      'vue-i18n': {
        localeDir: {
          pattern: './src/shared/locales/*/*.json',
          localeKey: 'path',
          localePattern: /^.*\/(?<locale>[a-z]{2})\/[^/]+\.json$/
        },
        messageSyntaxVersion: '^11.0.0'
      }
    },
    rules: {
      '@intlify/vue-i18n/no-missing-keys': 'error',
      '@intlify/vue-i18n/no-missing-keys-in-other-locales': 'error',
      '@intlify/vue-i18n/valid-message-syntax': 'error',
      '@intlify/vue-i18n/no-raw-text': [
        'error',
        {
          attributes: { '/.+/': ['title', 'aria-label', 'placeholder', 'alt', 'label'] },
          // Symbols, numbers and units are the same in every language.
          ignorePattern: '^[-–—+×·•:/()[\\]{}%.,;!?#*=<>→←↑↓✓✕…±\\s\\d]+$'
        }
      ]
    }
  },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } }
  }
)
