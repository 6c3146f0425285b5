import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { RESULTS_DIR } from './browser.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface ServedExample {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds an example app under examples/ with the repository's own Vite (its README's
 * `npx vite examples/<name>` serves the same config) and serves the build with Vite's
 * preview server, whose proxy forwards the API to `agentwireUrl` as the README says.
 */
export async function serveExample(name: string, agentwireUrl: string): Promise<ServedExample> {
  const root = join(REPO_ROOT, 'examples', name);
  const configFile = join(root, 'vite.config.ts');
  const outDir = join(RESULTS_DIR, 'examples', name);
  // The example's config reads the server's address from the environment, as a person sets it.
  process.env['AGENTWIRE_URL'] = agentwireUrl;
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error(`the preview server of examples/${name} has no address`);
  return { url, close: () => server.close() };
}

/** `tsc --noEmit` on the example's own tsconfig, against the built package; '' when clean. */
export function typeErrors(name: string): string {
  const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  const result = spawnSync(tsc, ['-p', join(REPO_ROOT, 'examples', name, 'tsconfig.json')], { encoding: 'utf8' });
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`;
}
