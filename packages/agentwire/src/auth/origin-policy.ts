/**
 * Whether a browser `Origin` may use the server (WebSocket upgrade, CORS).
 * - No `Origin` header: not a browser (Node, native apps); allowed, as PROTOCOL.md says.
 * - `list` undefined: no policy configured; any origin (the library's default).
 * - `'*'` in the list: any origin.
 * - `'self'` in the list: the origin whose host is the request's own `Host`.
 * - Otherwise an exact, case-insensitive match of scheme://host[:port].
 */
export function originAllowed(origin: string | undefined, list: readonly string[] | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (list === undefined) return true;
  const wanted = normalise(origin);
  for (const entry of list) {
    if (entry === '*') return true;
    if (entry === 'self') {
      if (host !== undefined && hostOf(wanted) === host.toLowerCase()) return true;
      continue;
    }
    if (normalise(entry) === wanted) return true;
  }
  return false;
}

function normalise(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
