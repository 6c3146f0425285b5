// `npm start` builds only what changed: the server (tsc, incremental) when a file under src/
// or a tsconfig is newer than the last build, and the chat page (Vite) when its sources, the
// SDK it bundles (src/) or the lockfile are newer than web/dist. With nothing changed it
// starts in about a second instead of rebuilding everything.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...parts) => join(root, ...parts);
const lockfile = at('..', '..', 'package-lock.json');

const steps = [
  {
    name: 'server (dist/)',
    output: at('dist', '.tsbuildinfo'),
    inputs: [...files(at('src')), at('tsconfig.build.json'), at('..', '..', 'tsconfig.base.json'), lockfile],
    command: ['npx', 'tsc', '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'],
  },
  {
    name: 'chat page (web/dist/)',
    output: at('web', 'dist', 'index.html'),
    // The page bundles the SDK (src/client*), the protocol types and the error catalogue.
    inputs: [
      ...files(at('web', 'src')),
      ...files(at('src', 'client')),
      ...files(at('src', 'protocol')),
      at('src', 'client.ts'),
      at('src', 'errors.ts'),
      at('web', 'index.html'),
      at('web', 'vite.config.ts'),
      at('package.json'),
      lockfile,
    ],
    command: ['npx', 'vite', 'build', 'web', '--logLevel', 'warn'],
  },
];

for (const step of steps) {
  const builtAt = existsSync(step.output) ? statSync(step.output).mtimeMs : 0;
  const newest = step.inputs.filter((file) => existsSync(file)).reduce((max, file) => Math.max(max, statSync(file).mtimeMs), 0);
  if (builtAt >= newest) {
    console.log(`${step.name}: up to date, not rebuilt`);
    continue;
  }
  console.log(`${step.name}: building`);
  const run = spawnSync(step.command[0], step.command.slice(1), { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    process.exitCode = run.status ?? 1;
    break;
  }
  // tsc leaves its build info untouched when a touched file compiled to the same output: mark
  // the build as current anyway, or every later start would run tsc again.
  if (existsSync(step.output)) utimesSync(step.output, new Date(), new Date());
}

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
}
