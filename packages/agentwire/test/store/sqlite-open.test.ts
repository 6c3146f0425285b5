import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentwireError } from '../../src/errors.js';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../src/store/sqlite-store.js';

/** A data directory or file that cannot be used must stop the server, naming the path. */
describe('SQLite store: opening', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aw-sqlite-open-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function openError(dataDir: string): Promise<AgentwireError> {
    const error = await openSqliteStore({ dataDir }).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgentwireError);
    return error as AgentwireError;
  }

  it('creates a missing data directory and its database file, in WAL mode', async () => {
    const dataDir = join(root, 'nested', 'data');
    const store = await openSqliteStore({ dataDir });
    await store.threads.create({ threadId: 't1', userId: 'u1', title: 'x', at: new Date().toISOString() });
    // The -wal file exists while the store is open: the journal is WAL, not a rollback journal.
    await expect(readFile(join(dataDir, `${SQLITE_FILE_NAME}-wal`))).resolves.toBeInstanceOf(Buffer);
    await store.close();
  });

  it('rejects a corrupt database file with AW_ERR_STORE_OPEN naming it, and leaves its bytes alone', async () => {
    const dataDir = join(root, 'data');
    await mkdir(dataDir);
    const file = join(dataDir, SQLITE_FILE_NAME);
    const garbage = randomBytes(8192);
    await writeFile(file, garbage);
    const error = await openError(dataDir);
    expect(error.code).toBe('AW_ERR_STORE_OPEN');
    expect(error.message).toContain(file);
    expect(Buffer.compare(await readFile(file), garbage)).toBe(0);
  });

  it('rejects a data directory that cannot be created (a file is in the way) with AW_ERR_STORE_OPEN naming the path', async () => {
    // A permission bit would not stop root (the test machines run as root); a file in the
    // path stops everyone.
    const blocker = join(root, 'not-a-dir');
    await writeFile(blocker, 'x');
    const dataDir = join(blocker, 'data');
    const error = await openError(dataDir);
    expect(error.code).toBe('AW_ERR_STORE_OPEN');
    expect(error.message).toContain(join(dataDir, SQLITE_FILE_NAME));
  });

  it('rejects a database path that cannot be opened as a file (a directory) with AW_ERR_STORE_OPEN naming it', async () => {
    const dataDir = join(root, 'data');
    await mkdir(join(dataDir, SQLITE_FILE_NAME), { recursive: true });
    const error = await openError(dataDir);
    expect(error.code).toBe('AW_ERR_STORE_OPEN');
    expect(error.message).toContain(join(dataDir, SQLITE_FILE_NAME));
  });
});
