import type { ServerResponse } from 'node:http';

/**
 * What the chat page needs and nothing more: its own scripts, styles and socket (`'self'`
 * covers `ws:`/`wss:` to the same host), the data: favicon. No inline script or style
 * element is allowed; the page sets styles through the CSSOM only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Set on every answer, page and API alike (issue 12, "Browser-facing"). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  // For browsers older than CSP's frame-ancestors.
  res.setHeader('x-frame-options', 'DENY');
}
