#!/usr/bin/env node
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULTS } from '../defaults.js';
import { newSecret } from '../ids.js';
import { isAgentwireError } from '../errors.js';
import { configFromEnv, type ServerConfig } from './config.js';
import { DEV_SECRET_FILE, keyFingerprint, loadOrCreateDevSecret } from './dev-secret.js';
import { startServer } from './standalone.js';

/** `--dev` is AGENTWIRE_DEV=1 (the repository's `npm start` passes it); nothing else is read from argv. */
const env = process.argv.slice(2).includes('--dev') ? { ...process.env, AGENTWIRE_DEV: '1' } : process.env;

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = configFromEnv(env, (dataDir) => loadOrCreateDevSecret(dataDir, () => newSecret(32)));
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_CONFIG')) {
      process.stderr.write(`agentwire: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'agentwire' } });
  // Warned on every start, so a dev setup that reached a real host does not go unnoticed.
  // The key itself is never logged: anyone holding it signs tokens for any user.
  if (config.devMode) {
    logger.warn(
      { dev_key_file: join(env['AGENTWIRE_DATA_DIR']?.trim() || DEFAULTS.dataDir.value, DEV_SECRET_FILE), dev_key_sha256: keyFingerprint(config.jwt.secret!), dev_login: config.devLogin },
      `dev mode: no JWT key configured, tokens are signed with the dev key kept in the data directory${
        config.devLogin ? '; dev login is on (anyone reaching this server can log in as any name)' : ''
      }; never use dev mode on a public host`,
    );
  } else if (config.devLogin) {
    logger.warn({ dev_login: true }, 'AGENTWIRE_DEV_LOGIN is on: anyone reaching this server can log in as any name (demo only)');
  }
  const running = await startServer(config, { logger });
  logger.info(
    {
      url: running.url,
      host: config.host,
      engine: running.gateway.bus.engine,
      store: running.gateway.store.engine,
      ...(config.store.engine === 'sqlite' && { data_dir: config.store.dataDir }),
      dev_login: config.devLogin,
      agents: running.gateway.agentList().agents.map((a) => a.name),
      ...(config.redisUrl && { redis_prefix: config.redisPrefix }),
      // The endpoint's host only: the URL may carry credentials, and logs travel further than env files.
      ...(config.llm && { llm_model: config.llm.model, llm_host: new URL(config.llm.baseURL).host }),
    },
    `agentwire listening on ${running.url}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A coded error (e.g. Redis unreachable) is an operator's problem: its message says what to fix.
  const detail = isAgentwireError(error) ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`agentwire: failed to start: ${detail}\n`);
  process.exit(1);
});
