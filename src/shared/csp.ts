// The renderer's Content-Security-Policy: only the app's own scripts and styles, no eval, no
// remote content, no inline styles. The browser host's WebSocket is same-origin ('self').
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')
