import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP refusal with the error code of docs/protocol.md ("HTTP"). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_BODY_BYTES = 4096;

export function allow(method: string, ...expected: string[]): void {
  if (!expected.includes(method)) throw new HttpError(405, 'method_not_allowed', `use ${expected.join(' or ')}`);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export async function readJson(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, 'too_large', `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'invalid_json', 'body must be a JSON object');
  }
}

/** A `limit` query value: absent gives `fallback`; anything but an integer in 1..max is a 400 naming it. */
export function limitParam(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new HttpError(400, 'invalid_request', `limit must be an integer from 1 to ${max}`);
  }
  return value;
}

/** An opaque cursor query value (`cursor`, `before`); its validity is the store's to judge. */
export function cursorParam(url: URL, name: string): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (raw.length === 0 || raw.length > 512) throw new HttpError(400, 'invalid_request', `${name}: not a cursor this server issued`);
  return raw;
}

/** A path segment, `%`-decoded; a malformed escape is the caller's error (400), never a 500. */
export function pathSegment(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid_request', `${name}: malformed %-escape in the path`);
  }
}
