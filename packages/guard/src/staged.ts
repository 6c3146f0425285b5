import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { GuardError } from './errors.js';

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new GuardError('GIT', `--staged needs a git work tree: git ${args.join(' ')} failed in ${cwd}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Absolute paths of the files staged for commit (added, copied, modified or renamed). */
export function stagedFiles(cwd: string): Set<string> {
  const top = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  const names = git(cwd, ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z']).split('\0').filter(Boolean);
  return new Set(names.map((name) => resolve(top, name)));
}
