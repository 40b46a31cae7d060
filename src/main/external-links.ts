// Links the lab may hand to the user's browser (shell.openExternal): https pages on the hosts of
// the documentation the lab refers to, nothing else. A compromised or confused page must not be
// able to launch other URL handlers (file:, smb:, custom schemes of installed apps) or send the
// user to an arbitrary site.

export const DOCUMENTATION_HOSTS: readonly string[] = [
  'github.com',
  'js.tensorflow.org',
  'www.tensorflow.org',
  'developer.mozilla.org',
  'en.wikipedia.org',
  'arxiv.org',
  'www.electronjs.org'
]

/** The URL to open, normalised, if it is an https link to a documentation host; else null. */
export function allowedExternalUrl(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return null
  return DOCUMENTATION_HOSTS.includes(parsed.hostname) ? parsed.href : null
}
