import { relative, resolve } from 'node:path';

/** Forward slashes everywhere, because globs, baselines and SARIF URIs are compared as text. */
export function relativePath(root: string, file: string): string {
  return relative(root, file).split('\\').join('/');
}

export function samePath(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}
