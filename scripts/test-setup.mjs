#!/usr/bin/env node
// Makes sure the real parts the test suite talks to are present: Redis (the cluster
// tests), PostgreSQL (the store suite; DATABASE_URL names its admin connection) and
// Debian's Chromium (the browser tests). It installs or starts what it can
// and says plainly what is still missing; the tests themselves fail, never skip, without them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';

const CHROMIUM = '/usr/bin/chromium';
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
// The store tests connect with DATABASE_URL (admin rights: they create and drop a database).
const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const problems = [];

function log(message) {
  process.stdout.write(`[test-setup] ${message}\n`);
}

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = createConnection({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

async function ensureRedis() {
  if (await redisAnswers()) return log(`Redis answers at ${redisUrl.host}`);
  const local = ['127.0.0.1', 'localhost'].includes(redisUrl.hostname);
  if (local && hasCommand('redis-server')) {
    log('Redis is not answering; starting a local redis-server (no persistence)');
    execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', redisUrl.port || '6379', '--save', '', '--appendonly', 'no'], {
      stdio: 'inherit',
    });
    for (let i = 0; i < 50 && !(await redisAnswers()); i++) await new Promise((r) => setTimeout(r, 100));
    if (await redisAnswers()) return log('Redis started');
  }
  problems.push(`Redis is not reachable at ${redisUrl.host}: start it (e.g. apt-get install -y redis-server && redis-server --daemonize yes --save "" --appendonly no) or set REDIS_URL`);
}

// A TCP probe speaking just enough of the protocol: an SSLRequest, which any PostgreSQL
// answers with one byte ('S' or 'N') before authentication, so no client library is needed here.
function postgresAnswers() {
  return new Promise((resolve) => {
    const socket = createConnection({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (data) => done(data.length >= 1 && (data[0] === 0x53 || data[0] === 0x4e)));
  });
}

async function ensurePostgres() {
  if (await postgresAnswers()) return log(`PostgreSQL answers at ${databaseUrl.host}`);
  const local = ['127.0.0.1', 'localhost'].includes(databaseUrl.hostname);
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (local && versions.length > 0 && hasCommand('pg_ctlcluster')) {
    const version = versions.sort((a, b) => Number(b) - Number(a))[0];
    log(`PostgreSQL is not answering; starting the local cluster ${version}/main`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    for (let i = 0; i < 50 && !(await postgresAnswers()); i++) await new Promise((r) => setTimeout(r, 100));
    if (await postgresAnswers()) return log('PostgreSQL started');
  }
  problems.push(
    `PostgreSQL is not reachable at ${databaseUrl.host}: start it (e.g. apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) ` +
      'or set DATABASE_URL to a server where the user may create databases (trust or password in the URL)',
  );
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return log(`Chromium present at ${CHROMIUM}`);
  if (process.getuid?.() === 0 && hasCommand('apt-get')) {
    log('Chromium missing: installing Debian package chromium (apt-get; a few minutes)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env }) : update;
    if (install.status === 0 && existsSync(CHROMIUM)) return log('Chromium installed');
  }
  problems.push(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium (the browser tests need it)`);
}

await ensureRedis();
await ensurePostgres();
ensureChromium();
for (const problem of problems) log(`MISSING: ${problem}`);
// Not fatal here: the tests that need a missing part fail with their own clear message.
