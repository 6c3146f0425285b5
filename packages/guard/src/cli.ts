#!/usr/bin/env node
import type { RunIo } from './run-core.js';
import { runWarm } from './run-warm.js';

const io: RunIo = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};
const argv = process.argv.slice(2);
// A warm run answers from the cache without loading TypeScript (about a second saved);
// anything else loads the full CLI.
let code = runWarm(argv, io);
if (code === undefined) code = (await import('./run.js')).run(argv, io);
process.exitCode = code;
