import { AgentwireError } from '../errors.js';

/**
 * Which browser origins may call the HTTP API (CORS) and open `/ws` (the upgrade's 403,
 * docs/protocol.md "Connecting"): one list for both.
 *
 * - `undefined`: any origin (the library's default when the host application sets none);
 * - a list: the server's own origin (the request's `Host`) plus the listed origins; `[]` is
 *   the standalone server's default, its own origin only; `'*'` in the list allows any.
 *
 * A request without `Origin` is not from a browser page (Node, curl, native apps) and passes:
 * the check protects browsers' users from other sites, it is not authentication.
 */
export type AllowedOrigins = readonly string[] | undefined;

/** Parses a comma-separated list (`AGENTWIRE_ALLOWED_ORIGINS`); each entry `*` or an http(s) origin. */
export function parseAllowedOrigins(raw: string, variable: string): string[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    if (entry === '*') return entry;
    const parsed = URL.canParse(entry) ? new URL(entry) : undefined;
    const bare = parsed !== undefined && (parsed.pathname === '/' || parsed.pathname === '') && !parsed.search && !parsed.hash && !parsed.username;
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !bare) {
      throw new AgentwireError('AW_ERR_CONFIG', `${variable} must be a comma-separated list of origins like https://chat.example.com (or *), got "${entry}"`);
    }
    return parsed.origin;
  });
}

/** True when a request with this `Origin` (and `Host`) may be served; see AllowedOrigins. */
export function originAllowed(origin: string | undefined, allowed: AllowedOrigins, host: string | undefined): boolean {
  if (origin === undefined || allowed === undefined) return true;
  if (allowed.includes('*')) return true;
  const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
  // "null" (sandboxed frames, file://) and anything unparsable is no one's own origin.
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) return false;
  if (host !== undefined && parsed.host === host.toLowerCase()) return true;
  return allowed.includes(parsed.origin);
}
