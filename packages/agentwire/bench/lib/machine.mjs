// What the figures were measured on: the machine, the runtime and the package versions.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Version of a package as installed for this workspace (hoisted or local). */
export function installedVersion(name) {
  let dir = dirname(benchDir);
  for (;;) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).version;
    const parent = dirname(dir);
    if (parent === dir) return 'not installed';
    dir = parent;
  }
}

export function describeMachine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg().map((v) => v.toFixed(2)).join(' '),
    versions: {
      agentwire: JSON.parse(readFileSync(join(dirname(benchDir), 'package.json'), 'utf8')).version,
      ws: installedVersion('ws'),
      'socket.io': installedVersion('socket.io'),
      jose: installedVersion('jose'),
    },
  };
}
