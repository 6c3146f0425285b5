import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_SECRET } from './server.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly exited: Promise<number | null>;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
}

export interface FinishedProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Real gateway processes: the standalone CLI compiled into a private directory (so that
 * other builds of `dist/` cannot interfere), each started with `node` like in production.
 */
export class GatewayProcesses {
  private readonly running: GatewayProcess[] = [];

  private constructor(private readonly outDir: string) {}

  /** Compiles the package once; takes a while on a busy machine. */
  static async build(): Promise<GatewayProcesses> {
    const outDir = await mkdtemp(join(PACKAGE_ROOT, 'node_modules', '.gateway-process-test-'));
    const tsc = join(PACKAGE_ROOT, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', join(PACKAGE_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: PACKAGE_ROOT });
    return new GatewayProcesses(outDir);
  }

  private spawnCli(env: Record<string, string>, args: readonly string[]): ChildProcess {
    return spawn(process.execPath, [join(this.outDir, 'server', 'cli.js'), ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', AGENTWIRE_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /**
   * Runs `node cli.js` expecting it to exit on its own (a refused configuration); SIGKILLs it
   * and rejects if it is still running after 15 s. A blank variable counts as unset.
   */
  async run(env: Record<string, string>, args: readonly string[] = []): Promise<FinishedProcess> {
    const child = this.spawnCli(env, args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the CLI did not exit within 15 s: ${stdout}${stderr}`));
      }, 15_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Starts `node cli.js` and resolves once it listens (its URL read from the pino log line). */
  async start(name: string, env: Record<string, string>, args: readonly string[] = []): Promise<GatewayProcess> {
    const child = this.spawnCli(env, args);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const httpUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway ${name} not listening after 15 s: ${stderr}`)), 15_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { url?: string };
          if (typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // The CLI logs JSON lines only; anything else is not the line we wait for.
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`gateway ${name} exited with ${code} before listening: ${stderr}`));
      });
    });
    const gateway: GatewayProcess = { name, child, httpUrl, wsUrl: `${httpUrl.replace(/^http/, 'ws')}/ws`, exited, output: () => output };
    this.running.push(gateway);
    return gateway;
  }

  /** SIGKILL for the survivors, then removes the build. */
  async dispose(): Promise<void> {
    await Promise.all(
      this.running.map(async (g) => {
        if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
        await g.exited;
      }),
    );
    await rm(this.outDir, { recursive: true, force: true });
  }
}
