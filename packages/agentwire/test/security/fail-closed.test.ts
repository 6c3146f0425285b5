import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayProcesses, type GatewayProcess } from '../helpers/gateway-processes.js';

// Issue 12, "Fail closed": the real CLI, started with each environment of the rule. A blank
// variable counts as unset, which is how these tests take away the helper's default key and HOST.
const NO_KEY = { AGENTWIRE_JWT_SECRET: '' };
const SECRET = 'fail-closed-test-secret-0123456789abcdef';

let processes: GatewayProcesses;
const dirs: string[] = [];

beforeAll(async () => {
  processes = await GatewayProcesses.build();
}, 120_000);

afterAll(async () => {
  await processes?.dispose();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agentwire-fail-closed-'));
  dirs.push(dir);
  return dir;
}

/** The JSON log lines of a process, parsed. */
const logLines = (gateway: GatewayProcess): Array<Record<string, unknown>> =>
  gateway
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const listening = (gateway: GatewayProcess) => logLines(gateway).find((line) => typeof line['url'] === 'string')!;
const warnings = (gateway: GatewayProcess) => logLines(gateway).filter((line) => line['level'] === 40);

async function login(gateway: GatewayProcess, username = 'ada'): Promise<Response> {
  return fetch(`${gateway.httpUrl}/auth/login`, { method: 'POST', body: JSON.stringify({ username }) });
}

async function stop(gateway: GatewayProcess): Promise<void> {
  gateway.child.kill('SIGTERM');
  await gateway.exited;
}

describe('fail closed: the standalone CLI without a configured key', () => {
  it.each([
    ['nothing set', {}],
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
    ['AGENTWIRE_DEV=0', { AGENTWIRE_DEV: '0' }],
  ])('finding: no JWT key and no dev mode refuses to start (exit 2) saying what to set (%s)', async (_name, env) => {
    const result = await processes.run({ ...NO_KEY, AGENTWIRE_DATA_DIR: await dataDir(), ...env });
    expect(result.code).toBe(2);
    for (const name of ['AGENTWIRE_JWT_SECRET', 'AGENTWIRE_JWT_PUBLIC_KEY', 'AGENTWIRE_JWKS_URL', 'AGENTWIRE_DEV=1']) {
      expect(result.stderr).toContain(name);
    }
  });

  it.each([
    ['AGENTWIRE_DEV=1', { AGENTWIRE_DEV: '1' }, []],
    ['--dev', {}, ['--dev']],
    ['no dev mode', {}, []],
  ])('finding: REDIS_URL with no JWT key refuses to start, dev mode or not (%s)', async (_name, env, args) => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/agentwire' };
    const result = await processes.run({ ...NO_KEY, ...redis, ...env }, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('REDIS_URL');
    expect(result.stderr).toContain('AGENTWIRE_JWT_SECRET');
  });

  it.each([
    ['AGENTWIRE_DEV=1', { AGENTWIRE_DEV: '1' }, []],
    ['--dev', {}, ['--dev']],
  ])(
    'finding: dev mode (%s) uses a kept key it never logs, turns the dev login on, binds 127.0.0.1 and warns',
    async (_name, env, args) => {
      const dir = await dataDir();
      const gateway = await processes.start('dev', { ...NO_KEY, HOST: '', AGENTWIRE_DATA_DIR: dir, ...env }, args);
      try {
        expect(listening(gateway)['host']).toBe('127.0.0.1');
        expect((await login(gateway)).status).toBe(200);
        const secret = (await readFile(join(dir, 'dev-jwt-secret'), 'utf8')).trim();
        expect(secret.length).toBeGreaterThanOrEqual(32);
        expect((await stat(join(dir, 'dev-jwt-secret'))).mode & 0o777).toBe(0o600);
        expect(gateway.output()).not.toContain(secret);
        const warning = warnings(gateway).find((line) => String(line['msg']).includes('dev mode'));
        expect(warning?.['msg']).toContain('dev login is on');
        expect(warning?.['dev_key_sha256']).toMatch(/^[0-9a-f]{8}$/);
      } finally {
        await stop(gateway);
      }
    },
  );

  it('finding: the log does not say "dev login is on" when it is not (dev mode with AGENTWIRE_DEV_LOGIN=false)', async () => {
    const gateway = await processes.start('dev-no-login', { ...NO_KEY, AGENTWIRE_DEV: '1', AGENTWIRE_DEV_LOGIN: 'false', AGENTWIRE_DATA_DIR: await dataDir() });
    try {
      expect(gateway.output()).not.toContain('dev login is on');
      expect((await login(gateway)).status).toBe(404);
    } finally {
      await stop(gateway);
    }
  });

  it('finding: 13.2 the dev key survives a restart, so a token from before it still works', async () => {
    const dir = await dataDir();
    const first = await processes.start('dev-1', { ...NO_KEY, AGENTWIRE_DEV: '1', AGENTWIRE_DATA_DIR: dir });
    const { token } = (await (await login(first)).json()) as { token: string };
    await stop(first);
    const second = await processes.start('dev-2', { ...NO_KEY, AGENTWIRE_DEV: '1', AGENTWIRE_DATA_DIR: dir });
    try {
      const threads = await fetch(`${second.httpUrl}/threads`, { headers: { authorization: `Bearer ${token}` } });
      expect(threads.status).toBe(200);
    } finally {
      await stop(second);
    }
  });
});

describe('fail closed: the standalone CLI with a configured key', () => {
  it('finding: with a key, dev mode changes nothing (no dev login, no dev key, HOST default, no dev warning)', async () => {
    const dir = await dataDir();
    const gateway = await processes.start('keyed-dev', { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_DEV: '1', HOST: '', AGENTWIRE_DATA_DIR: dir }, ['--dev']);
    try {
      expect(listening(gateway)['host']).toBe('0.0.0.0');
      expect((await login(gateway)).status).toBe(404);
      await expect(stat(join(dir, 'dev-jwt-secret'))).rejects.toThrow();
      expect(gateway.output()).not.toContain('dev mode');
      expect(gateway.output()).not.toContain('dev login is on');
    } finally {
      await stop(gateway);
    }
  });

  it('finding: the dev login is on only when asked for (AGENTWIRE_DEV_LOGIN=true), with a warning on every start', async () => {
    const gateway = await processes.start('keyed-login', { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_DEV_LOGIN: 'true', AGENTWIRE_DATA_DIR: await dataDir() });
    try {
      expect((await login(gateway)).status).toBe(200);
      expect(warnings(gateway).some((line) => String(line['msg']).includes('AGENTWIRE_DEV_LOGIN is on'))).toBe(true);
      expect(gateway.output()).not.toContain(SECRET);
    } finally {
      await stop(gateway);
    }
  });
});
