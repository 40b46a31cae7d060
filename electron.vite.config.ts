import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// One build for everything: the Electron main process, the browser host, the CLI and the
// training worker are all entries of the node-side build, so they share chunks (services, ml).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          serve: resolve(import.meta.dirname, 'src/host/serve.ts'),
          cli: resolve(import.meta.dirname, 'src/cli/index.ts'),
          'training-worker': resolve(import.meta.dirname, 'src/worker/training-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // A sandboxed preload must be a CommonJS script.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
    // vue-i18n's feature flags: the Composition API only, no devtools hooks in a build.
    define: {
      __VUE_I18N_FULL_INSTALL__: true,
      __VUE_I18N_LEGACY_API__: false,
      __INTLIFY_PROD_DEVTOOLS__: false
    },
    build: {
      // Minified: the renderer's code is what the window waits for at start-up.
      minify: true,
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } }
    },
    plugins: [vue()]
  }
})
