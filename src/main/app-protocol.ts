import { readFile, stat } from 'node:fs/promises'
import { extname, join, relative, isAbsolute, sep } from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'

// The renderer is served from app://lab/ (a standard, secure scheme of our own) instead of
// file://: a page on file:// may read any local file its scripts name, and every file:// page
// shares one origin. Here the page's origin is app://lab, 'self' in the CSP means exactly the
// built renderer, and only files under its folder can be fetched. Electron-free, so that it runs
// (and is tested) under plain Node; src/main/index.ts registers it with protocol.handle.

export const APP_SCHEME = 'app'
export const APP_HOST = 'lab'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY = `${APP_ORIGIN}/index.html`

/**
 * What protocol.registerSchemesAsPrivileged is given (before the app is ready): a standard URL
 * with an origin of its own, a secure context, fetch and V8's code cache; CORS-mode requests
 * (the page's `<script type="module" crossorigin>`) are allowed, and as no response carries an
 * Access-Control-Allow-Origin header, no other origin can read from it.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: true,
    codeCache: true
  }
} as const

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm'
}

const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

function refuse(status: 400 | 404 | 405, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders }
  })
}

/** The file under `root` that an app:// URL names, or null if it names nothing there. */
export function fileForUrl(root: string, url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\')) return null
  const file = join(root, path === '/' ? 'index.html' : path)
  const inside = relative(root, file)
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    return null
  return file
}

/** The handler for protocol.handle(APP_SCHEME, ...): files of the built renderer, read-only. */
export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(405, 'the lab page is read-only')
    const file = fileForUrl(root, request.url)
    if (!file) return refuse(400, 'not a file of the lab page')
    try {
      if (!(await stat(file)).isFile()) return refuse(404, 'not found')
      const body = request.method === 'HEAD' ? null : await readFile(file)
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          ...securityHeaders
        }
      })
    } catch {
      return refuse(404, 'not found')
    }
  }
}
