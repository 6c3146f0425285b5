#!/usr/bin/env node
import { pino } from 'pino';
import { newSecret } from '../ids.js';
import { isAgentwireError } from '../errors.js';
import { configFromEnv, type ServerConfig } from './config.js';
import { startServer } from './standalone.js';

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = configFromEnv(process.env, () => newSecret(32));
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_CONFIG')) {
      process.stderr.write(`agentwire: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'agentwire' } });
  if (config.generatedSecret) {
    logger.warn(
      { generated_jwt_secret: config.jwt.secret },
      'no AGENTWIRE_JWT_SECRET configured: generated one for this process (tokens die with it); dev login is on',
    );
  }
  const running = await startServer(config, { logger });
  logger.info(
    {
      url: running.url,
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
