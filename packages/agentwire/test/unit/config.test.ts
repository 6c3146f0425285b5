import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAgentwireError } from '../../src/errors.js';
import { configFromEnv } from '../../src/server/config.js';

const SECRET = 's'.repeat(32);
const generated = () => 'generated-secret-0123456789abcdef0123';
const PEM = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The AW_ERR_CONFIG message configFromEnv gives for `env` (in dev mode, so a key is optional); fails if it accepts it. */
function configError(env: Record<string, string | undefined>): string {
  try {
    configFromEnv({ AGENTWIRE_DEV: '1', ...env }, generated);
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_CONFIG')) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configFromEnv', () => {
  it('has the documented defaults, the dev key, dev login and 127.0.0.1 in dev mode with no key', () => {
    const config = configFromEnv({ AGENTWIRE_DEV: '1' }, generated);
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      jwt: { secret: generated() },
      devMode: true,
      devLogin: true,
      allowQueryToken: false,
      demoDelayMs: 150,
      heartbeatMs: 25_000,
      runTimeoutMs: 300_000,
      scopeIdleMs: 1_800_000,
      ticketTtlMs: 60_000,
      retentionEvents: 1000,
      retentionMs: 900_000,
      maxConnectionsPerUser: 20,
      maxRunsPerUser: 5,
      logLevel: 'info',
      redisUrl: undefined,
    });
  });

  it('reads every variable', () => {
    const config = configFromEnv(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        AGENTWIRE_JWT_SECRET: SECRET,
        AGENTWIRE_JWT_ISSUER: 'https://issuer.example',
        AGENTWIRE_JWT_AUDIENCE: 'agentwire',
        AGENTWIRE_DEV_LOGIN: 'true',
        AGENTWIRE_DEV_TOKEN_TTL_MS: '60000',
        AGENTWIRE_ALLOW_QUERY_TOKEN: 'yes',
        AGENTWIRE_DEMO_DELAY_MS: '0',
        AGENTWIRE_HEARTBEAT_MS: '1000',
        AGENTWIRE_RUN_TIMEOUT_MS: '2000',
        AGENTWIRE_SCOPE_IDLE_MS: '3000',
        AGENTWIRE_SHUTDOWN_DRAIN_MS: '0',
        AGENTWIRE_TICKET_TTL_MS: '5000',
        AGENTWIRE_RETENTION_EVENTS: '10',
        AGENTWIRE_RETENTION_MS: '60000',
        AGENTWIRE_MAX_CONNECTIONS_PER_USER: '3',
        AGENTWIRE_MAX_RUNS_PER_USER: '2',
        AGENTWIRE_TRUST_PROXY: 'true',
        AGENTWIRE_ALLOWED_ORIGINS: 'https://chat.example.com, http://localhost:5173/',
        AGENTWIRE_HEADERS_TIMEOUT_MS: '1000',
        AGENTWIRE_REQUEST_TIMEOUT_MS: '2000',
        AGENTWIRE_KEEP_ALIVE_TIMEOUT_MS: '3000',
        AGENTWIRE_HTTP_RATE_PER_MINUTE: '10',
        AGENTWIRE_HTTP_RATE_BURST: '4',
        LOG_LEVEL: 'warn',
        REDIS_URL: 'redis://127.0.0.1:6379/2',
        DATABASE_URL: 'postgres://agentwire@db.internal:5432/agentwire',
      },
      generated,
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      jwt: { secret: SECRET, issuer: 'https://issuer.example', audience: 'agentwire' },
      devMode: false,
      devLogin: true,
      devTokenTtlMs: 60_000,
      allowQueryToken: true,
      demoDelayMs: 0,
      heartbeatMs: 1000,
      runTimeoutMs: 2000,
      scopeIdleMs: 3000,
      shutdownDrainMs: 0,
      ticketTtlMs: 5000,
      retentionEvents: 10,
      retentionMs: 60_000,
      maxConnectionsPerUser: 3,
      maxRunsPerUser: 2,
      trustProxy: true,
      allowedOrigins: ['https://chat.example.com', 'http://localhost:5173'],
      http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 3000 },
      httpRate: { perMinute: 10, burst: 4 },
      logLevel: 'warn',
      redisUrl: 'redis://127.0.0.1:6379/2',
    });
  });

  it('fail closed: no key refuses unless dev mode; REDIS_URL without a key refuses even in dev mode', () => {
    expect(() => configFromEnv({}, generated)).toThrow('AGENTWIRE_DEV=1');
    expect(() => configFromEnv({ AGENTWIRE_DEV: 'false' }, generated)).toThrow('AGENTWIRE_JWKS_URL');
    expect(() => configFromEnv({ AGENTWIRE_DEV: '1', REDIS_URL: 'redis://r:6379', DATABASE_URL: 'postgres://db/aw' }, generated)).toThrow('REDIS_URL');
  });

  it('dev mode: HOST still wins; AGENTWIRE_DEV_LOGIN=false turns its login off; the key is asked for last, with the data dir', () => {
    expect(configFromEnv({ AGENTWIRE_DEV: '1', HOST: '0.0.0.0' }, generated).host).toBe('0.0.0.0');
    expect(configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_DEV_LOGIN: 'false' }, generated).devLogin).toBe(false);
    const asked: string[] = [];
    configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_DATA_DIR: '/tmp/aw' }, (dir) => (asked.push(dir), generated()));
    expect(asked).toEqual(['/tmp/aw']);
    expect(() => configFromEnv({ AGENTWIRE_DEV: '1', PORT: 'x' }, () => expect.unreachable('asked for the key of a refused configuration'))).toThrow('PORT');
  });

  it('with a configured key, dev mode changes nothing', () => {
    expect(configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_JWT_SECRET: SECRET }, generated)).toMatchObject({
      devMode: false,
      devLogin: false,
      host: '0.0.0.0',
      jwt: { secret: SECRET },
    });
  });

  it('with a configured key, dev login is off unless asked for', () => {
    expect(configFromEnv({ AGENTWIRE_JWT_SECRET: SECRET }, generated).devLogin).toBe(false);
    expect(configFromEnv({ AGENTWIRE_JWT_PUBLIC_KEY: PEM }, generated)).toMatchObject({ devLogin: false, jwt: { publicKey: PEM.trim() } });
    expect(configFromEnv({ AGENTWIRE_JWKS_URL: 'https://idp.example/jwks.json' }, generated).jwt).toEqual({ jwksUrl: 'https://idp.example/jwks.json' });
  });

  it('a public key given on one line with \\n escapes becomes a PEM', () => {
    const oneLine = PEM.trim().replaceAll('\n', '\\n');
    expect(configFromEnv({ AGENTWIRE_JWT_PUBLIC_KEY: oneLine }, generated).jwt.publicKey).toBe(PEM.trim());
  });

  it('blank values count as unset', () => {
    expect(configFromEnv({ AGENTWIRE_DEV: '1', PORT: '  ', LOG_LEVEL: '' }, generated)).toMatchObject({ port: 8080, logLevel: 'info' });
  });

  const WHOLE_NUMBERS: Array<[string, string[]]> = [
    ['PORT', ['http', '-1', '65536', '80.5', '1e3', '0x50']],
    ['AGENTWIRE_DEV_TOKEN_TTL_MS', ['999', 'soon', '-5']],
    ['AGENTWIRE_DEMO_DELAY_MS', ['-1', '60001', 'fast']],
    ['AGENTWIRE_HEARTBEAT_MS', ['9', '0', '25s']],
    ['AGENTWIRE_RUN_TIMEOUT_MS', ['9', '5m']],
    ['AGENTWIRE_SCOPE_IDLE_MS', ['9', '30min']],
    ['AGENTWIRE_SHUTDOWN_DRAIN_MS', ['-1', '10s']],
    ['AGENTWIRE_TICKET_TTL_MS', ['999', '1m']],
    ['AGENTWIRE_RETENTION_EVENTS', ['0', 'many', '1.5']],
    ['AGENTWIRE_RETENTION_MS', ['999', '15m']],
    ['AGENTWIRE_MAX_CONNECTIONS_PER_USER', ['0', 'twenty']],
    ['AGENTWIRE_MAX_RUNS_PER_USER', ['0', '-2']],
  ];
  describe.each(WHOLE_NUMBERS)('%s', (name, bad) => {
    it.each(bad)('%j → AW_ERR_CONFIG naming the variable and the value', (value) => {
      const message = configError({ [name]: value });
      expect(message).toContain(name);
      expect(message).toContain(`"${value}"`);
      expect(message).toMatch(/whole number from \d+ to \d+/);
    });
  });

  it.each(['AGENTWIRE_DEV_LOGIN', 'AGENTWIRE_ALLOW_QUERY_TOKEN'])('%s must be true or false', (name) => {
    const message = configError({ [name]: 'maybe' });
    expect(message).toContain(name);
    expect(message).toContain('true or false');
    expect(message).toContain('"maybe"');
  });

  it('LOG_LEVEL must be a pino level', () => {
    const message = configError({ LOG_LEVEL: 'loud' });
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('"loud"');
    expect(message).toContain('debug');
  });

  it('AGENTWIRE_JWT_SECRET must be at least 32 characters', () => {
    expect(configError({ AGENTWIRE_JWT_SECRET: 'short' })).toContain('AGENTWIRE_JWT_SECRET must be at least 32 characters');
  });

  it('only one key source may be set', () => {
    for (const env of [
      { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_JWT_PUBLIC_KEY: PEM },
      { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_JWKS_URL: 'https://idp.example/jwks' },
      { AGENTWIRE_JWT_PUBLIC_KEY: PEM, AGENTWIRE_JWKS_URL: 'https://idp.example/jwks' },
    ]) {
      expect(configError(env)).toContain('set only one of');
    }
  });

  it('AGENTWIRE_JWT_PUBLIC_KEY must be a PEM public key', () => {
    for (const value of ['not a key', '-----BEGIN PUBLIC KEY-----\\ngarbage\\n-----END PUBLIC KEY-----']) {
      expect(configError({ AGENTWIRE_JWT_PUBLIC_KEY: value })).toContain('AGENTWIRE_JWT_PUBLIC_KEY');
    }
  });

  it('AGENTWIRE_JWKS_URL must be an http(s) URL', () => {
    for (const value of ['not a url', 'ftp://idp.example/jwks', 'file:///etc/jwks.json']) {
      expect(configError({ AGENTWIRE_JWKS_URL: value })).toContain('AGENTWIRE_JWKS_URL');
    }
  });

  it('AGENTWIRE_DEV_LOGIN needs a shared secret, not a public key or JWKS', () => {
    expect(configError({ AGENTWIRE_DEV_LOGIN: 'true', AGENTWIRE_JWT_PUBLIC_KEY: PEM })).toContain('AGENTWIRE_DEV_LOGIN needs AGENTWIRE_JWT_SECRET');
    expect(configError({ AGENTWIRE_DEV_LOGIN: 'true', AGENTWIRE_JWKS_URL: 'https://idp.example/jwks' })).toContain(
      'AGENTWIRE_DEV_LOGIN needs AGENTWIRE_JWT_SECRET',
    );
  });

  it('REDIS_URL must be a redis:// or rediss:// URL', () => {
    for (const value of ['localhost:6379', 'http://127.0.0.1:6379', 'not a url', 'http://user:hunter2@cache:6379']) {
      const message = configError({ AGENTWIRE_JWT_SECRET: SECRET, REDIS_URL: value });
      expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
      expect(message, 'a URL may carry a password: never echoed').not.toContain('hunter2');
    }
    expect(configFromEnv({ AGENTWIRE_JWT_SECRET: SECRET, REDIS_URL: 'rediss://user:pw@cache.example:6380/0', DATABASE_URL: 'postgres://db/aw' }, generated).redisUrl).toBe(
      'rediss://user:pw@cache.example:6380/0',
    );
  });

  it('the store: SQLite in AGENTWIRE_DATA_DIR by default, PostgreSQL with DATABASE_URL', () => {
    expect(configFromEnv({ AGENTWIRE_DEV: '1' }, generated).store).toEqual({ engine: 'sqlite', dataDir: './data' });
    expect(configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_DATA_DIR: '/var/lib/agentwire' }, generated).store).toEqual({ engine: 'sqlite', dataDir: '/var/lib/agentwire' });
    expect(configFromEnv({ AGENTWIRE_DEV: '1', DATABASE_URL: 'postgres://u@db:5432/aw' }, generated).store).toEqual({ engine: 'postgres', url: 'postgres://u@db:5432/aw' });
    expect(configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_STORE: 'memory' }, generated).store).toEqual({ engine: 'memory' });
  });

  it('several processes must share one store: REDIS_URL without DATABASE_URL is refused, saying what to set', () => {
    for (const extra of [{}, { AGENTWIRE_STORE: 'sqlite' }, { AGENTWIRE_STORE: 'memory' }]) {
      const message = configError({ AGENTWIRE_JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', ...extra });
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('REDIS_URL');
    }
  });

  it('bad store settings name the variable', () => {
    expect(configError({ DATABASE_URL: 'mysql://db/aw' })).toContain('DATABASE_URL');
    expect(configError({ AGENTWIRE_STORE: 'mongo' })).toContain('AGENTWIRE_STORE');
    expect(configError({ AGENTWIRE_STORE: 'postgres' })).toContain('DATABASE_URL');
    expect(configError({ AGENTWIRE_STORE: 'sqlite', DATABASE_URL: 'postgres://db/aw' })).toContain('AGENTWIRE_STORE');
  });

  it('HOST must be a host name or an IP address', () => {
    for (const value of ['my host', 'http://0.0.0.0', 'host/path']) expect(configError({ HOST: value })).toContain('HOST');
    for (const value of ['::', '::1', 'localhost', '10.0.0.2', 'gateway.internal']) expect(configFromEnv({ AGENTWIRE_DEV: '1', HOST: value }, generated).host).toBe(value);
  });
});
