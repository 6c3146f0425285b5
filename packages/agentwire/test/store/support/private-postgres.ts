import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POSTGRES_LIB = '/usr/lib/postgresql';

/**
 * A private PostgreSQL server (initdb + pg_ctl) in a temp directory on a free loopback port,
 * for tests that stop and start the database: they must never disturb the shared one.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
 * (runuser) in a directory given to it. Missing binaries: a clear failure, not a skip.
 */
export class PrivatePostgres {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly bin: string,
    private readonly dir: string,
  ) {}

  /** Trust auth, user postgres, database postgres. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  static async start(): Promise<PrivatePostgres> {
    const bin = findBinDir();
    const dir = await mkdtemp(join(tmpdir(), 'aw-postgres-'));
    if (isRoot()) {
      const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
        throw new Error('running as root needs a `postgres` system user to run PostgreSQL as (apt-get install postgresql creates it)');
      });
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const server = new PrivatePostgres(await freePort(), bin, dir);
    await server.pg('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await server.start();
    return server;
  }

  /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
  async start(): Promise<void> {
    const settings = [`-p ${this.port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${this.dir}`, '-c fsync=off', '-c max_connections=50'];
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** Stops the server at once (immediate mode: an outage, not a clean shutdown) and waits until it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [command, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(command, argv, { timeout: 60_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`, { cause: error });
    }
  }
}

function isRoot(): boolean {
  return userInfo().uid === 0;
}

/** The newest installed server's bin directory (Debian layout: /usr/lib/postgresql/<version>/bin). */
function findBinDir(): string {
  const versions = existsSync(POSTGRES_LIB) ? readdirSync(POSTGRES_LIB).filter((v) => existsSync(join(POSTGRES_LIB, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) are required under ${POSTGRES_LIB}/<version>/bin for the outage tests: apt-get install postgresql`);
  return join(POSTGRES_LIB, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
