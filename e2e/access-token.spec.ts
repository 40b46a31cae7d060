import { expect, test } from '@playwright/test'
import { startServeProcess } from '../test/serve-process'

// Issue 13, item 5, in a real browser: a lab served with a token opens from the printed URL
// (the token moves into a cookie and out of the address bar, and the page's WebSocket carries
// it); the same address without the token is refused.

test('a lab served with a token opens from its printed URL, and only from it', async ({
  browser
}) => {
  const serve = await startServeProcess(['--token', 'e2e-token-0123456789abcdef'])
  try {
    const visitor = await browser.newContext()
    const page = await visitor.newPage()
    await page.goto(serve.printed)
    await expect(page).toHaveURL(serve.url)
    // The lab loaded its fonts over the WebSocket: the API let the page in.
    await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled()
    await expect(page.getByLabel('Character set')).toContainText('Font3')
    await visitor.close()

    const stranger = await browser.newContext()
    const refused = await stranger.request.get(serve.url)
    expect(refused.status()).toBe(403)
    expect(await refused.text()).toContain('this lab needs its access token')
    await stranger.close()
  } finally {
    await serve.stop()
  }
})
