import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import './assets/main.css'
import { provideLabClient } from './api/client'
import { createElectronClient } from './api/electron-client'
import { apiUrlFor, connectWebSocketClient } from '@shared/lab-client'
import { preloadFirstLab } from './views'
import { i18n, setLanguage, currentLanguage } from './i18n'

// In Electron the preload provides window.lab; served by the browser host, the same API comes
// over a WebSocket to the host that served the page.
async function boot(): Promise<void> {
  preloadFirstLab()
  const client = window.lab
    ? createElectronClient(window.lab)
    : await connectWebSocketClient(apiUrlFor(window.location))
  provideLabClient(client)
  setLanguage(currentLanguage())
  createApp(App).use(createPinia()).use(i18n).mount('#app')
}

boot().catch((error: unknown) => {
  const message = document.createElement('p')
  message.setAttribute('role', 'alert')
  message.textContent = `Autoencoder Lab could not start: ${error instanceof Error ? error.message : String(error)}`
  document.getElementById('app')?.append(message)
})
