// Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench`): self time per
// function, heaviest first, and total time under the functions named on the command line.
// BENCH_PROFILE_LAST_S=<seconds> keeps only the end of the profile (the fan-out runs come
// last in the server's life; the connection setup before them is mostly JWT checks).
//   node bench/profile-summary.mjs <file.cpuprofile> [top=30] [inclusive names...]
import { readFileSync } from 'node:fs';

const [file, topArg = '30', ...inclusiveNames] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [function names...]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const times = [];
let at = profile.startTime;
for (const delta of profile.timeDeltas) times.push((at += delta));
const from = profile.endTime - Number(process.env.BENCH_PROFILE_LAST_S ?? Infinity) * 1e6;
const hits = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  if (times[i] < from) return;
  hits.set(id, (hits.get(id) ?? 0) + 1);
  total++;
});

const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url ? url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|dist|bench)\//, '$1/') : '';
  return `${functionName || '(anonymous)'} ${short}${short ? `:${lineNumber + 1}` : ''}`;
};

const self = new Map();
for (const [id, count] of hits) {
  const key = label(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + count);
}
const idle = [...hits].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((sum, [, c]) => sum + c, 0);
console.log(`${total} samples, ${((idle / total) * 100).toFixed(1)}% idle; self time of busy samples:`);
const busy = total - idle;
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  if (key.startsWith('(idle)')) continue;
  console.log(`${((count / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

for (const name of inclusiveNames) {
  let under = 0;
  for (const [id, count] of hits) {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at).callFrame.functionName === name) {
        under += count;
        break;
      }
    }
  }
  console.log(`inclusive ${name}: ${((under / busy) * 100).toFixed(1)}% of busy samples`);
}
