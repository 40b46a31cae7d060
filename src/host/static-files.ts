import { createReadStream, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'

// The browser host's pages: the built renderer's files, read-only, nothing outside its folder.

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

export interface RequestTarget {
  /** The decoded path. */
  path: string
  query: URLSearchParams
}

/**
 * The decoded path and query of an origin-form request target (`/path?query`), or null when it
 * is anything else or does not decode (`/%`, overlong UTF-8, `http://[/`, a NUL byte).
 */
export function parseTarget(raw: string | undefined): RequestTarget | null {
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//')) return null
  try {
    const url = new URL(raw, 'http://lab.invalid')
    const path = decodeURIComponent(url.pathname)
    return path.includes('\0') ? null : { path, query: url.searchParams }
  } catch {
    return null
  }
}

/** Answers a GET or HEAD for `path` from `rendererDir`. */
export function serveFile(
  rendererDir: string,
  path: string,
  method: string,
  res: ServerResponse
): void {
  const root = resolve(rendererDir)
  const file = normalize(join(root, path === '/' ? 'index.html' : path.slice(1)))
  let isFile: boolean
  try {
    isFile = file.startsWith(root + sep) && statSync(file).isFile()
  } catch {
    isFile = false
  }
  if (!isFile) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache'
  })
  if (method === 'HEAD') res.end()
  // A file that vanishes mid-read ends the response; it must not end the host.
  else pipeline(createReadStream(file), res, () => undefined)
}
