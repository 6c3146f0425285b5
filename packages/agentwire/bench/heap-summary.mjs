// Summarises a V8 heap snapshot (from the bench servers' `snapshot` control command, or
// `node --heapsnapshot-signal`): count and self size per object kind, largest first. With two
// files it prints the difference (second minus first), divided by `per` when given: what N
// more connections hold, per connection (issue 19, "Idle memory").
//   node bench/heap-summary.mjs <file.heapsnapshot> [top=30]
//   node bench/heap-summary.mjs <before.heapsnapshot> <after.heapsnapshot> [per=1] [top=30]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.heapsnapshot'));
const numbers = args.filter((a) => !a.endsWith('.heapsnapshot')).map(Number);
if (files.length === 0 || files.length > 2 || numbers.some((n) => !Number.isFinite(n) || n <= 0)) {
  console.error('usage: node bench/heap-summary.mjs <file.heapsnapshot> [top] | <before> <after> [per] [top]');
  process.exit(2);
}
const [per, top] = files.length === 2 ? [numbers[0] ?? 1, numbers[1] ?? 30] : [1, numbers[0] ?? 30];

/** Object kind ("type:name", e.g. "object:Connection", "string", "closure:onClose") → { count, bytes }. */
function kinds(file) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [TYPE, NAME, SIZE] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKind = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + TYPE]];
    // Strings and numbers are named by their value: one kind each, not one per value.
    const kind = ['string', 'concatenated string', 'sliced string', 'number', 'hidden', 'code'].includes(type) ? type : `${type}:${strings[nodes[i + NAME]]}`;
    const entry = byKind.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + SIZE];
    byKind.set(kind, entry);
  }
  return byKind;
}

const after = kinds(files.at(-1));
const before = files.length === 2 ? kinds(files[0]) : new Map();
const rows = [...new Set([...after.keys(), ...before.keys()])].map((kind) => {
  const a = after.get(kind) ?? { count: 0, bytes: 0 };
  const b = before.get(kind) ?? { count: 0, bytes: 0 };
  return { kind, count: (a.count - b.count) / per, bytes: (a.bytes - b.bytes) / per };
});
rows.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes));
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(`${files.length === 2 ? `difference${per === 1 ? '' : ` per ${per}`}` : 'heap'}: ${total.toFixed(0)} bytes in all`);
for (const r of rows.slice(0, top)) console.log(`${r.bytes.toFixed(1).padStart(12)} B ${r.count.toFixed(2).padStart(10)} x  ${r.kind.slice(0, 100)}`);
