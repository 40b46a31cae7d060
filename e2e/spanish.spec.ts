import { expect, test, type Page } from '@playwright/test'
import { join } from 'node:path'
import { artifacts, collectProblems, e2eDir } from './support'

// The letters lab in Spanish (issue 17, item 5): the top bar's switch, kept across a reload,
// and a student's walk through the lab with every label in Spanish; a browser whose language
// is Spanish starts in Spanish without touching the switch.

/**
 * English texts of the letters lab, the session bar and the shared parts (a few per component);
 * none may be on screen in Spanish. Patterns, so that another area's text that merely contains
 * one (the sweep panel's "Learning rates") does not count.
 */
const ENGLISH = [
  /Hidden layers/,
  /Learning rate\b(?!s)/,
  /Latent size/,
  /Glyphs to train on/,
  /Import character set/,
  /Draw a letter/,
  /Latent space/,
  /Loss \(binary cross-entropy/,
  /Wrong pixels per glyph/,
  /PCA baseline/,
  /Decode grid/,
  /nearest training glyph/,
  /Erase mode/,
  /Add to custom set/,
  /Load a glyph/,
  /Untitled session/,
  /Export report/,
  /Save As/,
  /decoded at/,
  /ran all \d+ epochs/,
  /every glyph within/,
  /Each row varies one latent dimension/,
  /\bPass\b/,
  /\bepochs\b/
]

/** Every console message vue-i18n gives for a key a locale lacks (src/renderer/src/i18n). */
function collectMissingKeys(page: Page): string[] {
  const missing: string[] = []
  page.on('console', (m) => {
    if (/Not found '.*' key/.test(m.text())) missing.push(m.text())
  })
  return missing
}

const cell = (page: Page, row: number, col: number) =>
  page.getByRole('gridcell', { name: `fila ${row}, columna ${col}` })

test('the letters lab in Spanish: switch with the keyboard, kept on reload, a whole walk', async ({
  page
}) => {
  const problems = collectProblems(page)
  const missing = collectMissingKeys(page)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await expect(page.getByTestId('backend')).toContainText('backend')
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeVisible()

  // The switch, from the keyboard: focus it, pick the next language.
  const language = page.getByTestId('language')
  await language.focus()
  await page.keyboard.press('ArrowDown')
  await expect(language).toHaveValue('es')
  await expect(page.getByRole('button', { name: 'Entrenar', exact: true })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'es-AR')
  // The choice is kept: a reload starts in Spanish.
  await page.reload()
  await expect(page.getByTestId('language')).toHaveValue('es')
  await expect(page.getByRole('button', { name: 'Entrenar', exact: true })).toBeVisible()
  await expect(page.getByTestId('session-name')).toContainText('Sesión sin título')

  // Pick a character set (the descriptions are Spanish too), then train on a few of its glyphs.
  const charSet = page.getByLabel('Conjunto de caracteres', { exact: true })
  await expect(charSet.locator('option[value="Font1"]')).toContainText('espacio, puntuación')
  await charSet.selectOption('Font2')
  await page.getByLabel('Capas ocultas').fill('25-15')
  await page.getByLabel('Glifos para entrenar').fill('ABCDEHLO')
  await page.getByLabel('Capas ocultas').press('Tab')
  await expect(page.getByLabel('Tasa de aprendizaje')).toBeVisible()
  await expect(page.getByLabel('Tamaño de la capa latente')).toBeVisible()
  await expect(page.getByLabel('Optimizador', { exact: true })).toBeVisible()
  await expect(page.getByLabel('Función de activación', { exact: true })).toBeVisible()
  await page.getByRole('button', { name: 'Entrenar', exact: true }).click()
  const runs = page.getByTestId('runs').getByRole('listitem')
  await expect(runs).toHaveCount(1, { timeout: 90_000 })
  await expect(page.getByRole('button', { name: 'Entrenar', exact: true })).toBeEnabled()
  await expect(page.getByTestId('training-status')).toContainText(/épocas · .* en /)
  await expect(page.getByTestId('verdict')).toContainText(/Aprobado|No aprobado/)
  await expect(page.getByTestId('verdict')).toContainText('píxel')
  await expect(runs.first()).toContainText('épocas')

  // The latent plane and the reconstructions.
  await expect(page.locator('figcaption', { hasText: 'Espacio latente' })).toBeVisible()
  const plane = page.getByTestId('latent-chart')
  await expect(plane).toHaveAttribute('data-points', '8')
  await expect(page.getByRole('img', { name: 'A reconstrucción' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Resultados' })).toBeVisible()

  // Click the plane: a new letter is decoded there.
  const box = (await plane.boundingBox())!
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.45)
  await expect(page.getByTestId('probe')).toContainText('decodificada en (')
  await expect(
    page.getByTestId('probe').getByRole('img', { name: 'letra decodificada en la sonda' })
  ).toBeVisible()

  // Draw an L in the pixel editor: its nearest training glyph is named in Spanish.
  await expect(page.getByRole('heading', { name: 'Dibujar una letra' })).toBeVisible()
  for (let row = 1; row <= 7; row++) await cell(page, row, 1).click()
  for (let col = 2; col <= 5; col++) await cell(page, 7, col).click()
  await expect(page.getByTestId('nearest')).toContainText(
    'glifo de entrenamiento más cercano: L, a 0 píxeles'
  )
  await expect(page.getByTestId('drawn-point')).toContainText('latente (')
  await expect(page.getByRole('button', { name: 'Modo borrar' })).toBeVisible()

  // No English from these parts is left on screen, and no key was missing.
  const text = await page.locator('body').innerText()
  expect(ENGLISH.filter((english) => english.test(text)).map(String)).toEqual([])
  // The top of the lab for the README; the editor and its result for a look at longer words.
  await page.screenshot({ path: join(artifacts, 'letters-es-editor.png') })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(e2eDir, '..', 'docs', 'screenshot-letters-es.png') })
  expect(missing).toEqual([])
  expect(problems).toEqual([])
})

test('a browser whose language is Spanish starts in Spanish', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ locale: 'es-AR', baseURL })
  const page = await context.newPage()
  const missing = collectMissingKeys(page)
  await page.goto('/')
  await expect(page.getByTestId('language')).toHaveValue('es')
  await expect(page.getByRole('button', { name: 'Entrenar', exact: true })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Dibujar una letra' })).toBeVisible()
  await expect(page.locator('figcaption', { hasText: 'Espacio latente' })).toBeVisible()
  // The VAE lab's panel, in Spanish too (its last English text moved to the locales).
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.getByRole('tab', { name: 'VAE' }).click()
  await expect(page.getByRole('heading', { name: 'Autoencoder variacional (VAE)' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Entrenar VAE' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Importar conjunto de datos…' })).toBeVisible()
  const panel = await page.locator('.form-panel').first().innerText()
  for (const english of ['Training images', 'Hidden layers', 'Learning rate', 'Seed', 'Data set'])
    expect(panel, `"${english}" left in the Spanish VAE panel`).not.toContain(english)
  await page.screenshot({ path: join(e2eDir, '..', 'docs', 'screenshot-vae-es.png') })
  expect(missing).toEqual([])
  await context.close()
})
