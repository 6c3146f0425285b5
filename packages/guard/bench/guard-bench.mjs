#!/usr/bin/env node
// Times guard and `tsc --noEmit` on a generated project (default 3,000 files): a cold and a warm
// run of each in a fresh process, with wall time, CPU time and peak memory (max RSS).
// Usage: node bench/guard-bench.mjs [--files 3000] [--keep]
//        node bench/guard-bench.mjs --project <guard.config.json> --tsconfig <tsconfig.json>   (a real project, left untouched)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const TARGET_SECONDS = 5;
const { values } = parseArgs({
  options: { files: { type: 'string', default: '3000' }, keep: { type: 'boolean', default: false }, project: { type: 'string' }, tsconfig: { type: 'string' } },
});
const project = values.project ? resolve(values.project) : undefined;
const fileCount = Number(values.files);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build -w @agentwire/guard` first');
  process.exit(2);
}

const root = project ? dirname(project) : mkdtempSync(join(tmpdir(), 'guard-bench-'));
const write = (path, text) => {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

if (!project) {
write('tsconfig.json', JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], strict: true, noEmit: true, skipLibCheck: true },
  include: ['src'],
}));
write('guard.config.json', JSON.stringify({
  symbols: {
    Manager: { module: 'src/core/index.ts', internal: ['src/core/**'] },
    createManager: { module: 'src/core/index.ts', internal: ['src/core/**'] },
    Connection: { module: 'src/core/index.ts', internal: ['src/core/**'] },
  },
  factoryOnly: { Manager: ['createManager'] },
  noModuleState: ['src/features/f0', 'src/features/f1', 'src/features/f2'],
  deprecated: { legacyManager: { module: 'src/core/index.ts', replacement: 'createManager' } },
}));
write('src/core/types.ts', 'export interface Connection {\n  send(text: string): void;\n}\n');
write('src/core/manager.ts', "import type { Connection } from './types.js';\nexport class Manager {\n  readonly connections = new Set<Connection>();\n}\n");
write('src/core/factory.ts', "import { Manager } from './manager.js';\nexport function createManager(): Manager {\n  return new Manager();\n}\nexport function legacyManager(): Manager {\n  return createManager();\n}\n");
write('src/core/index.ts', "export { Manager } from './manager.js';\nexport { createManager, legacyManager } from './factory.js';\nexport type { Connection } from './types.js';\n");

// Every 10th file carries a violation of some kind; the rest are ordinary, canonical code.
const generated = fileCount - 4;
const perFolder = 50;
for (let i = 0; i < generated; i++) {
  const folder = `src/features/f${Math.floor(i / perFolder)}`;
  const kind = i % 10;
  const from = kind === 1 ? '../../core/manager.js' : '../../core/index.js';
  const lines = [
    `import { createManager, legacyManager } from '../../core/index.js';`,
    `import { Manager } from '${from}';`,
    `import type { Connection } from '../../core/index.js';`,
    i > 0 && (i - 1) % perFolder !== perFolder - 1 ? `import { helper${i - 1} } from './file${i - 1}.js';` : '',
    kind === 3 ? `let counter${i} = 0;` : `const LIMIT${i} = ${i};`,
    `export class Service${i} {`,
    `  private readonly manager: Manager = ${kind === 2 ? 'new Manager()' : 'createManager()'};`,
    `  send(connection: Connection, text: string): number {`,
    `    connection.send(text);`,
    `    return this.manager.connections.size + ${kind === 3 ? `counter${i}++` : `LIMIT${i}`};`,
    `  }`,
    `}`,
    `export function helper${i}(): Manager {`,
    `  return ${kind === 4 ? 'legacyManager()' : 'createManager()'};`,
    `}`,
    '',
  ];
  write(`${folder}/file${i}.ts`, lines.filter((line) => line !== '').join('\n') + '\n');
}

}

// Each child reports its own CPU time and peak RSS: on a shared machine wall time includes waiting for a core.
const REPORT = `process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write('\\nGUARD_BENCH ' + JSON.stringify({ cpu: (cpu.user + cpu.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
});`;
const guardProbe = `${REPORT}
process.argv.splice(1, 0, ${JSON.stringify(cli)});
await import(${JSON.stringify(new URL('../dist/cli.js', import.meta.url).href)});`;
const require = createRequire(import.meta.url);
const tscPath = require.resolve('typescript/lib/tsc.js');
const tscProbe = `${REPORT}
process.argv.splice(1, 0, ${JSON.stringify(tscPath)}, '--noEmit', '-p', ${JSON.stringify(values.tsconfig ? resolve(values.tsconfig) : 'tsconfig.json')});
await import(${JSON.stringify(pathToFileURL(tscPath).href)});`;

function measure(label, probe, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe, '--', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = JSON.parse(/GUARD_BENCH (.*)/.exec(result.stderr)?.[1] ?? '{"cpu":null,"rssMb":null}');
  return { label, wall, cpu: stats.cpu, rssMb: stats.rssMb, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Cold: the first run after generating the project (guard with --no-cache); warm: again, with
// guard's cache; then one edited file (its importers re-checked) and a pre-commit --staged run.
const guardArgs = ['--format', 'json', ...(project ? ['--config', project] : [])];
const runs = [
  measure('tsc --noEmit (cold)', tscProbe, []),
  measure('tsc --noEmit (warm)', tscProbe, []),
  measure('guard (cold, --no-cache)', guardProbe, [...guardArgs, '--no-cache']),
  (rmSync(join(root, 'node_modules', '.cache', 'agentwire-guard'), { recursive: true, force: true }), measure('guard (fills the cache)', guardProbe, guardArgs)),
  measure('guard (warm, cached)', guardProbe, guardArgs),
];
// A real project is never edited; a generated one gets one edited and staged file.
if (!project) {
const edited = join(root, 'src/features/f0/file10.ts');
writeFileSync(edited, `${readFileSync(edited, 'utf8')}// edited\n`);
runs.push(measure('guard (one file edited)', guardProbe, ['--format', 'json']));
spawnSync('git', ['init', '-q'], { cwd: root });
spawnSync('git', ['add', 'src/features/f0/file10.ts'], { cwd: root });
runs.push(measure('guard --staged (warm, 1 file)', guardProbe, [...guardArgs, '--staged']));
}
for (const run of runs.filter((r) => r.label.startsWith('guard'))) {
  if (run.status !== 0 && run.status !== 1) {
    console.error(run.stderr);
    process.exit(2);
  }
}
const report = JSON.parse(runs[2].stdout);
console.log(`guard bench: ${project ? project : `${fileCount} generated files`}, ${report.fileCount} checked, ${report.violations.length} violations, score ${(report.score.overall * 100).toFixed(1)}%`);
console.log('| run | wall s | CPU s | peak RSS MB |');
console.log('| --- | ---: | ---: | ---: |');
for (const run of runs) console.log(`| ${run.label} | ${run.wall.toFixed(2)} | ${run.cpu?.toFixed(2)} | ${run.rssMb?.toFixed(0)} |`);
const tscCold = runs[0].wall;
const guardCold = runs[2].wall;
console.log(`guard cold / tsc cold: ${(guardCold / tscCold).toFixed(2)}x wall, ${(runs[2].cpu / runs[0].cpu).toFixed(2)}x CPU (target < ${TARGET_SECONDS} s cold: ${guardCold < TARGET_SECONDS ? 'OK' : 'OVER TARGET'})`);
if (values.keep || project) console.log(`project ${project ? 'left' : 'kept'} in ${root}`);
else rmSync(root, { recursive: true, force: true });
