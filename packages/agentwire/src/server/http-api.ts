import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { bearerToken } from '../auth/credentials.js';
import type { DevLogin } from '../auth/dev-login.js';
import { isAgentwireError } from '../errors.js';
import { AGUI_MAX_BODY_BYTES, serveAguiRun } from './agui/agui-route.js';
import type { Gateway } from '../gateway/gateway.js';
import type { ThreadSummary } from '../protocol/types.js';
import { serveStatic } from './static-files.js';

export interface HttpApiOptions {
  /** The demo login (`POST /auth/login`); absent means 404. */
  devLogin?: DevLogin;
  /** Folder of the built chat page, served at `/`. */
  staticRoot?: string;
  metrics?: Registry;
}

const MAX_BODY_BYTES = 4096;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP routes of PROTOCOL.md ("HTTP"), for the standalone server or a host application. */
export function createHttpHandler(gateway: Gateway, options: HttpApiOptions = {}): RequestListener {
  const caller = async (req: IncomingMessage): Promise<string> => {
    const token = bearerToken(req);
    if (!token) throw new HttpError(401, 'unauthorized', 'a Bearer token is required');
    try {
      return (await gateway.verifyToken(token)).userId;
    } catch (error) {
      if (isAgentwireError(error)) throw new HttpError(401, 'unauthorized', error.message);
      throw error;
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const { pathname } = url;
    const method = req.method ?? 'GET';
    if (pathname === '/health' && method === 'GET') return json(res, 200, { status: 'ok' });
    if (pathname === '/health/websocket' && method === 'GET') {
      const health = gateway.health();
      return json(res, health.status === 'ok' ? 200 : 503, health);
    }
    if (pathname === '/metrics' && method === 'GET' && options.metrics) {
      const body = await options.metrics.metrics();
      res.writeHead(200, { 'content-type': options.metrics.contentType }).end(body);
      return;
    }
    if (pathname === '/auth/login' && options.devLogin) {
      allow(method, 'POST');
      const body = await readJson(req);
      try {
        return json(res, 200, await options.devLogin.login((body as { username?: unknown }).username));
      } catch (error) {
        if (isAgentwireError(error)) throw new HttpError(400, 'invalid_message', `username: ${error.message}`);
        throw error;
      }
    }
    if (pathname === '/agents') {
      allow(method, 'GET');
      const { agents, defaultAgent } = gateway.agentList();
      return json(res, 200, { agents, default: defaultAgent });
    }
    if (pathname === '/agui') {
      allow(method, 'POST');
      const userId = await caller(req);
      const refused = await serveAguiRun(gateway, userId, await readJson(req, AGUI_MAX_BODY_BYTES), res);
      if (refused) throw new HttpError(refused.status, refused.code, refused.message);
      return;
    }
    if (pathname === '/auth/ticket') {
      allow(method, 'POST');
      const userId = await caller(req);
      const { ticket, expiresAt } = await gateway.issueTicket(userId);
      return json(res, 200, { ticket, expires_at: expiresAt.toISOString() });
    }
    if (pathname === '/threads') {
      allow(method, 'GET');
      const userId = await caller(req);
      const threads: ThreadSummary[] = (await gateway.listThreads(userId)).map((t) => ({
        thread_id: t.threadId,
        title: t.title,
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      }));
      return json(res, 200, { threads });
    }
    const events = /^\/threads\/([^/]{1,128})\/events$/.exec(pathname);
    if (events) {
      allow(method, 'GET');
      const userId = await caller(req);
      const threadId = decodeURIComponent(events[1]!);
      const found = await gateway.threadEvents(userId, threadId);
      if (!found) throw new HttpError(404, 'not_found', 'no such thread');
      // The retained frames are already the stream format; splice them instead of re-serialising.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"thread_id":${JSON.stringify(threadId)},"events":[${found.map((e) => e.frame).join(',')}]}`);
      return;
    }
    if (method === 'GET' && options.staticRoot && (await serveStatic(options.staticRoot, pathname, res))) return;
    throw new HttpError(404, 'not_found', `no route for ${method} ${pathname}`);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://agentwire.invalid');
    route(req, res, url).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) json(res, error.status, { error: { code: error.code, message: error.message } });
      else json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  };
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new HttpError(405, 'method_not_allowed', `use ${expected}`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
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
    return value;
  } catch {
    throw new HttpError(400, 'invalid_json', 'body must be a JSON object');
  }
}
