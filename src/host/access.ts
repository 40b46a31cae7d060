import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { hostname, networkInterfaces } from 'node:os'
import { z } from 'zod'

// Who may talk to the browser host. A request must name, in its Host header, an address the
// server is bound to: a page on evil.example that resolves to 127.0.0.1 (DNS rebinding) names
// evil.example and is refused. A WebSocket's Origin, when sent, must be one of those addresses
// too. Off the loopback interface every request must also carry the launch's access token, as
// Jupyter does: once in the URL (`?token=`), then in an HttpOnly, SameSite=Strict cookie.

export const accessTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{16,256}$/, '--token must be 16 to 256 letters, digits, "-", "_" or "."')

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

/** Whether binding to `host` keeps the lab on this machine. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return (
    name === 'localhost' ||
    name === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(name) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(name)
  )
}

/** An address as it appears in a Host header: IPv6 in brackets, lower case. */
const hostForm = (address: string): string =>
  (address.includes(':') && !address.startsWith('[') ? `[${address}]` : address).toLowerCase()

export interface Access {
  /** The host names a request may use (without the port). */
  names(): string[]
  /** Why a request's Host and Origin headers are refused, or null when they are fine. */
  refuseHeaders(headers: IncomingHttpHeaders): string | null
  /** Whether the request carries the token (always true when there is none). */
  hasToken(headers: IncomingHttpHeaders, query: URLSearchParams): boolean
  /** The cookie that carries the token after the first visit (null without a token). */
  cookie(): string | null
}

export function createAccess(options: { bound: string; port: number; token?: string }): Access {
  const { bound, port, token } = options
  const wildcard = WILDCARDS.has(bound)
  const names = (): string[] => {
    const out = new Set<string>()
    if (wildcard || isLoopback(bound)) for (const n of LOOPBACK_NAMES) out.add(n)
    if (!wildcard) out.add(hostForm(bound))
    else {
      out.add(hostname().toLowerCase())
      for (const list of Object.values(networkInterfaces()))
        for (const entry of list ?? []) out.add(hostForm(entry.address))
    }
    return [...out]
  }
  const allowedHost = (value: string): boolean => {
    const name = value.toLowerCase()
    const list = names()
    return list.some((n) => name === `${n}:${port}` || (port === 80 && name === n))
  }
  const cookieName = `lab-token-${port}`
  const expected = token === undefined ? null : createHash('sha256').update(token).digest()
  // Constant time: compare digests of equal length, whatever was sent.
  const matches = (candidate: string | undefined): boolean =>
    expected !== null &&
    candidate !== undefined &&
    timingSafeEqual(createHash('sha256').update(candidate).digest(), expected)

  return {
    names,
    refuseHeaders(headers) {
      const host = headers.host ?? ''
      if (!allowedHost(host))
        return `this lab answers only to ${names()
          .map((n) => `${n}:${port}`)
          .join(', ')}, not to the host name "${host.slice(0, 100)}"`
      const origin = headers.origin
      if (origin !== undefined && !(origin.startsWith('http://') && allowedHost(origin.slice(7))))
        return `requests from pages of other sites are refused (origin ${origin.slice(0, 100)})`
      return null
    },
    hasToken(headers, query) {
      if (expected === null) return true
      return matches(query.get('token') ?? undefined) || matches(readCookie(headers, cookieName))
    },
    cookie: () =>
      token === undefined ? null : `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`
  }
}

function readCookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}
