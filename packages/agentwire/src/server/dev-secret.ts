import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentwireError } from '../errors.js';

/** The dev-mode key's file in the data directory (issue 13, point 2). */
export const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The key of dev mode, kept in `dataDir` so that a restart does not log every tab out: read
 * when present, else created with `generate()` (mode 0600: it signs tokens for any name).
 */
export function loadOrCreateDevSecret(dataDir: string, generate: () => string): string {
  const file = join(dataDir, DEV_SECRET_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
    const existing = readIfPresent(file);
    if (existing !== undefined && existing.length >= 32) {
      // A copy restored with looser permissions is tightened rather than trusted as is.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return existing;
    }
    const secret = generate();
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return secret;
  } catch (error) {
    throw new AgentwireError('AW_ERR_CONFIG', `dev mode keeps its key in ${file} (AGENTWIRE_DATA_DIR) and cannot use it: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** What the log may say about a key: the first 8 hex of its SHA-256, never the key. */
export const keyFingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 8);
