import type { IncomingMessage, ServerResponse } from 'node:http';
import { originAllowed, type AllowedOrigins } from '../auth/origin-policy.js';
import { HttpError } from './http-io.js';

const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, content-type';

/**
 * CORS with the allow-list of the upgrade's Origin check (auth/origin-policy.ts). A page of a
 * listed origin gets `Access-Control-Allow-Origin`; any other origin is refused with 403
 * before the route runs, so a foreign page cannot even make the server work. Returns true
 * when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: AllowedOrigins): boolean {
  const origin = req.headers.origin;
  // Without a list (library default) the server adds nothing: browsers keep their same-origin rule.
  if (allowed === undefined || origin === undefined) return false;
  res.setHeader('vary', 'Origin');
  if (!originAllowed(origin, allowed, req.headers.host)) {
    throw new HttpError(403, 'origin_not_allowed', 'this origin may not call this server (AGENTWIRE_ALLOWED_ORIGINS)');
  }
  res.setHeader('access-control-allow-origin', origin);
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.writeHead(204, {
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
    });
    res.end();
    return true;
  }
  return false;
}
