import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { TEST_SECRET } from '../helpers/server.js';

// Issue 12, "Bounded resources" and "Browser-facing": the standalone server's HTTP side.
const running: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function server(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = configFromEnv(
    { AGENTWIRE_JWT_SECRET: TEST_SECRET, AGENTWIRE_DEV_LOGIN: 'true', AGENTWIRE_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', ...env },
    () => {
      throw new Error('dev mode is not used here');
    },
  );
  const started = await startServer(config, { logger: silentLogger });
  running.push(started);
  return started;
}

const login = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/auth/login`, { method: 'POST', headers, body: JSON.stringify({ username: 'ada' }) });

describe('HTTP server timeouts', () => {
  it('finding: an unauthenticated slow POST body is cut off at the request timeout', async () => {
    const { port } = await server({ AGENTWIRE_HEADERS_TIMEOUT_MS: '300', AGENTWIRE_REQUEST_TIMEOUT_MS: '600' });
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user');
    // Without the timeouts Node keeps this connection for 300 s; the test's 10 s limit fails first.
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 10_000);

  it('finding: the HTTP timeouts are configurable and default to 20 s headers, 30 s request, 5 s keep-alive', () => {
    const env = { AGENTWIRE_JWT_SECRET: TEST_SECRET };
    expect(configFromEnv(env, () => '').http).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    expect(() => configFromEnv({ ...env, AGENTWIRE_HEADERS_TIMEOUT_MS: '5000', AGENTWIRE_REQUEST_TIMEOUT_MS: '1000' }, () => '')).toThrow(
      'AGENTWIRE_HEADERS_TIMEOUT_MS',
    );
  });
});

describe('rate limits on /auth/* and /agui', () => {
  it('finding: /auth/login beyond the per-address bucket answers 429 rate_limited with Retry-After', async () => {
    const { url } = await server({ AGENTWIRE_HTTP_RATE_BURST: '3', AGENTWIRE_HTTP_RATE_PER_MINUTE: '1' });
    for (let i = 0; i < 3; i++) expect((await login(url)).status).toBe(200);
    const refused = await login(url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // /agui and /auth/ticket share the bucket; the page and /health do not.
    expect((await fetch(`${url}/agui`, { method: 'POST', body: '{}' })).status).toBe(429);
    expect((await fetch(`${url}/auth/ticket`, { method: 'POST' })).status).toBe(429);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('finding: X-Forwarded-For picks the bucket only with AGENTWIRE_TRUST_PROXY', async () => {
    const direct = await server({ AGENTWIRE_HTTP_RATE_BURST: '1', AGENTWIRE_HTTP_RATE_PER_MINUTE: '1' });
    expect((await login(direct.url, { 'x-forwarded-for': '10.0.0.1' })).status).toBe(200);
    // A client cannot pick a fresh bucket by writing the header itself.
    expect((await login(direct.url, { 'x-forwarded-for': '10.0.0.2' })).status).toBe(429);

    const proxied = await server({ AGENTWIRE_HTTP_RATE_BURST: '1', AGENTWIRE_HTTP_RATE_PER_MINUTE: '1', AGENTWIRE_TRUST_PROXY: 'true' });
    expect((await login(proxied.url, { 'x-forwarded-for': '10.0.0.1' })).status).toBe(200);
    expect((await login(proxied.url, { 'x-forwarded-for': '10.0.0.1' })).status).toBe(429);
    // The proxy's own entry (the last) counts, not what the client put before it.
    expect((await login(proxied.url, { 'x-forwarded-for': '10.0.0.1, 10.0.0.2' })).status).toBe(200);
  });
});

describe('security headers', () => {
  it.each(['/', '/health', '/threads', '/no-such-route'])(
    "finding: %s carries a CSP with frame-ancestors 'none', nosniff and Referrer-Policy no-referrer",
    async (path) => {
      const { url } = await server();
      const response = await fetch(`${url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    },
  );
});

describe('CORS with the allow-list of the upgrade', () => {
  it('finding: a foreign origin is refused with 403; the own origin, listed origins and requests without Origin pass', async () => {
    const { url } = await server({ AGENTWIRE_ALLOWED_ORIGINS: 'https://chat.example.com' });
    const own = new URL(url).origin;
    const foreign = await login(url, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });

    expect((await login(url, { origin: own })).status).toBe(200);
    const listed = await login(url, { origin: 'https://chat.example.com' });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://chat.example.com');
    expect((await login(url)).status).toBe(200);
  });

  it('finding: a preflight from a listed origin is answered 204 with the methods and headers; from another, 403', async () => {
    const { url } = await server({ AGENTWIRE_ALLOWED_ORIGINS: 'https://chat.example.com' });
    const preflight = (origin: string) =>
      fetch(`${url}/threads`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight('https://chat.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://chat.example.com');
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(ok.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect((await preflight('https://evil.example')).status).toBe(403);
  });

  it('finding: by default the standalone server allows only its own origin', async () => {
    const { url } = await server();
    expect((await login(url, { origin: 'https://chat.example.com' })).status).toBe(403);
    expect((await login(url, { origin: new URL(url).origin })).status).toBe(200);
  });
});
