import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Inside the package, so `agentwire` and its dependencies resolve as in a user's project. */
const RUN_DIR = fileURLToPath(new URL('../../test-results/examples/', import.meta.url));

/**
 * An example file made runnable on Node 20 exactly as written: TypeScript is only stripped of
 * its types (transpiled, not rewritten); `.cjs`/`.mjs` files are copied.
 */
export function runnable(example: string): string {
  mkdirSync(RUN_DIR, { recursive: true });
  const source = join(REPO_ROOT, example);
  if (!example.endsWith('.ts')) {
    const target = join(RUN_DIR, basename(example));
    copyFileSync(source, target);
    return target;
  }
  const out = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: source,
  });
  const target = join(RUN_DIR, basename(example).replace(/\.ts$/, '.mjs'));
  writeFileSync(target, out.outputText);
  return target;
}

export interface ExampleProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

const running: ExampleProcess[] = [];

export function start(example: string, env: Record<string, string> = {}): ExampleProcess {
  const child = spawn(process.execPath, [runnable(example)], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc: ExampleProcess = {
    child,
    exited,
    stdout: () => out,
    waitFor(pattern, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => (done(), reject(new Error(`${example}: no ${pattern} in stdout after ${ms} ms.\nstdout: ${out}\nstderr: ${err}`))), ms);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          check();
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`${example} exited with ${code} before printing ${pattern}.\nstdout: ${out}\nstderr: ${err}`));
        });
        check();
      });
    },
  };
  running.push(proc);
  return proc;
}

/** Resolves with the exit code, or rejects when the process is still running after `ms`. */
export async function exitWithin(proc: ExampleProcess, ms: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running ${ms} ms later`)), ms)));
  try {
    return await Promise.race([proc.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills what a failed test left running. */
export async function killAll(): Promise<void> {
  await Promise.all(
    running.splice(0).map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }),
  );
}
