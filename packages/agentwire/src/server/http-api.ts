import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { clientAddress } from '../auth/client-address.js';
import { bearerToken } from '../auth/credentials.js';
import type { DevLogin } from '../auth/dev-login.js';
import type { VerifiedToken } from '../auth/jwt.js';
import { isAgentwireError } from '../errors.js';
import { serveAiSdkRoutes } from './ai-sdk/http-routes.js';
import { AGUI_MAX_BODY_BYTES, serveAguiRejoin, serveAguiRun } from './agui/agui-route.js';
import type { Gateway } from '../gateway/gateway.js';
import { applyCors } from './cors.js';
import { serveStatic } from './static-files.js';
import { allow, HttpError, json, pathSegment, readJson } from './http-io.js';
import { HttpRateLimit, type HttpRateSettings } from './http-rate-limit.js';
import { setSecurityHeaders } from './security-headers.js';
import { serveThreadRoutes } from './thread-routes.js';
import { serveProducerRoutes, type ProducerApi } from './producer/producer-routes.js';

export interface HttpApiOptions {
  /** The demo login (`POST /auth/login`); absent means 404. */
  devLogin?: DevLogin;
  /** Folder of the built chat page, served at `/`. */
  staticRoot?: string;
  metrics?: Registry;
  /**
   * Browser origins beside the server's own that may call the API (CORS; the same list as the
   * upgrade's Origin check, see auth/origin-policy.ts). Unset: no CORS handling at all.
   */
  allowedOrigins?: readonly string[];
  /** Token bucket per client address on `/auth/*` and `/agui`; unset: no limit. */
  rateLimit?: HttpRateSettings;
  /** Take the client address from the last `X-Forwarded-For` entry (one proxy in front). */
  trustProxy?: boolean;
  /** `POST /agui` as before resume existed: closing its stream stops the run (docs/agents.md, "AG-UI"). */
  aguiStopOnClose?: boolean;
  /** The producer API for agents outside the process (`/producer/runs`, docs/producers.md); unset: 404. */
  producer?: ProducerApi;
}

/** Routes that cost work before a caller is known (signing, tickets) or start runs. */
const isRateLimited = (pathname: string): boolean => pathname.startsWith('/auth/') || pathname === '/agui' || pathname === '/ai-sdk/chat';

/** The HTTP routes of docs/protocol.md ("HTTP"), for the standalone server or a host application. */
export function createHttpHandler(gateway: Gateway, options: HttpApiOptions = {}): RequestListener {
  const caller = async (req: IncomingMessage): Promise<string> => (await verifiedCaller(req)).userId;
  const verifiedCaller = async (req: IncomingMessage): Promise<VerifiedToken> => {
    const token = bearerToken(req);
    if (!token) throw new HttpError(401, 'unauthorized', 'a Bearer token is required');
    try {
      return await gateway.verifyToken(token);
    } catch (error) {
      if (isAgentwireError(error)) throw new HttpError(401, 'unauthorized', error.message);
      throw error;
    }
  };

  const limiter = options.rateLimit && new HttpRateLimit(options.rateLimit);

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const { pathname } = url;
    const method = req.method ?? 'GET';
    if (applyCors(req, res, options.allowedOrigins)) return;
    if (limiter && isRateLimited(pathname)) {
      const waitSeconds = limiter.take(clientAddress(req, options.trustProxy ?? false));
      if (waitSeconds > 0) {
        res.setHeader('retry-after', String(waitSeconds));
        throw new HttpError(429, 'rate_limited', `too many requests from this address; retry in ${waitSeconds} s`);
      }
    }
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
      allow(method, 'POST', 'GET');
      const userId = await caller(req);
      if (method === 'GET') return serveAguiRejoin(gateway, userId, url, req, res);
      return serveAguiRun(gateway, userId, await readJson(req, AGUI_MAX_BODY_BYTES), req, res, { stopOnClose: options.aguiStopOnClose });
    }
    if (await serveAiSdkRoutes(gateway, () => caller(req), req, res, url)) return;
    if (pathname === '/auth/ticket') {
      allow(method, 'POST');
      // The ticket carries the token's exp, so its socket closes 4001 when the token would have.
      const verified = await verifiedCaller(req);
      const { ticket, expiresAt } = await gateway.issueTicket(verified.userId, verified.expiresAtMs);
      return json(res, 200, { ticket, expires_at: expiresAt.toISOString() });
    }
    if (options.producer && (await serveProducerRoutes(options.producer, req, res, url))) return;
    if (await serveThreadRoutes(gateway.threads, () => caller(req), req, res, url)) return;
    const events = /^\/threads\/([^/]{1,400})\/events$/.exec(pathname);
    if (events) {
      allow(method, 'GET');
      const userId = await caller(req);
      const threadId = pathSegment(events[1]!, 'thread id');
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
    setSecurityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://agentwire.invalid');
    route(req, res, url).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) json(res, error.status, { error: { code: error.code, message: error.message } });
      else if (isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE') || isAgentwireError(error, 'AW_ERR_BUS_UNAVAILABLE')) {
        json(res, 503, { error: { code: 'unavailable', message: 'history is unavailable right now; retry shortly' } });
      } else json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  };
}
