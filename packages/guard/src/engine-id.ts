import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashText } from './cache-store.js';
import { VERSION } from './version.js';

let cached: string | undefined;

/**
 * Identifies the guard code that produced a cache: its version and the size and mtime of every
 * module file next to this one, so a rebuilt or edited guard never serves another build's findings.
 */
export function engineId(): string {
  if (cached) return cached;
  const parts = [VERSION];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.map')) {
        const stat = statSync(path);
        parts.push(`${path}:${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(fileURLToPath(new URL('.', import.meta.url)));
  cached = hashText(...parts);
  return cached;
}
