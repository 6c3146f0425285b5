#!/usr/bin/env node
// Makes sure the real parts the test suite talks to are present: Redis (the cluster
// tests) and Debian's Chromium (the browser tests). It installs or starts what it can
// and says plainly what is still missing; the tests themselves fail, never skip, without them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

const CHROMIUM = '/usr/bin/chromium';
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
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
ensureChromium();
for (const problem of problems) log(`MISSING: ${problem}`);
// Not fatal here: the tests that need a missing part fail with their own clear message.
