// node --test bench/lib/targets.test.mjs: the target table's verdicts (bench/lib/targets.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issue19Rows, issue7Rows, REDIS_BASELINE, verdictOf } from './targets.mjs';

const series = (fields) => [fields];

/** A run of the default set with every figure on the good side of its target. */
function goodRun() {
  return {
    only: ['scope', 'fanout', 'latency', 'memory', 'accept', 'redis', 'idle100k', 'storm'],
    systems: ['agentwire', 'ws', 'socketio'],
    ns: [100, 1000, 5000],
    memorySizes: [1000, 10000],
    errors: [],
    skipped: [],
    fanout: {
      agentwire: { 1000: series({ cpuMicrosPerEvent: 10 }), 5000: series({ cpuMicrosPerEvent: 12 }) },
      ws: { 1000: series({ cpuMicrosPerEvent: 11 }), 5000: series({ cpuMicrosPerEvent: 12 }) },
      socketio: { 5000: series({ cpuMicrosPerEvent: 30 }) },
    },
    accept: { agentwire: series({ acceptsPerSecond: 2000 }), ws: series({ acceptsPerSecond: 1900 }) },
    memory: {
      agentwire: { 1000: series({ rssBytesPerConnection: 12_000 }), 10000: series({ rssBytesPerConnection: 6_500 }) },
      ws: { 1000: series({ rssBytesPerConnection: 12_000 }), 10000: series({ rssBytesPerConnection: 6_300 }) },
    },
    latency: { agentwire: series({ p99Ms: 1.1 }), ws: series({ p99Ms: 1 }) },
    scope: series({ microsPerScope: 20 }),
    redis: { available: true, runs: [{ label: '1 process, 1,000 users', processes: 1, series: series({ cpuMicrosPerEvent: 14, eventsPerSecond: 3 * REDIS_BASELINE.eventsPerSecond }) }] },
    idle: { rows: [{ system: 'agentwire', connections: 100_000, opened: 100_000, answered: 100_000, rssBytes: 900 * 2 ** 20 }] },
    storm: {
      rows: [
        { system: 'agentwire-memory', users: 10_000, deliveredPercent: 100, missing: 0, duplicates: 0, outOfOrder: 0, replayP99Ms: 400 },
        { system: 'agentwire-redis', users: 10_000, deliveredPercent: 100, missing: 0, duplicates: 0, outOfOrder: 0, replayP99Ms: 900 },
        { system: 'socketio-recovery', users: 10_000, deliveredPercent: 100, missing: 0, duplicates: 0, outOfOrder: 0, replayP99Ms: 4_000 },
      ],
    },
  };
}

const verdicts = (r) => [...issue19Rows(r), ...issue7Rows(r)].map((row) => row.verdict);
const find = (r, text) => [...issue19Rows(r), ...issue7Rows(r)].find((row) => row.target.includes(text));

test('verdictOf: met only when every condition is; missed wins over not measured', () => {
  assert.equal(verdictOf([{ ok: true }, { ok: true }]), 'met');
  assert.equal(verdictOf([{ ok: true }, { ok: false }]), 'missed');
  assert.equal(verdictOf([{ missing: 'excluded by BENCH_ONLY' }, { ok: false }]), 'missed');
  assert.equal(verdictOf([{ ok: true }, { missing: 'excluded by BENCH_ONLY' }]), 'not measured: excluded by BENCH_ONLY');
});

test('a run on the good side of every target meets all of them', () => {
  const r = goodRun();
  assert.deepEqual(verdicts(r), Array(verdicts(r).length).fill('met'));
  assert.equal(issue19Rows(r).length, 11);
});

test('each figure just past its limit is flagged missed', () => {
  const cases = [
    ['accept rate', (r) => (r.accept.agentwire[0].acceptsPerSecond = 1899)],
    ['raw ws, 1,000 users', (r) => (r.fanout.agentwire[1000][0].cpuMicrosPerEvent = 11.1)],
    ['raw ws, 5,000 users', (r) => (r.fanout.agentwire[5000][0].cpuMicrosPerEvent = 12.1)],
    ['Socket.IO, 5,000', (r) => (r.fanout.socketio[5000][0].cpuMicrosPerEvent = 23.9)],
    ['@1,000', (r) => (r.memory.agentwire[1000][0].rssBytesPerConnection = 14_500)],
    ['@10,000', (r) => (r.memory.agentwire[10000][0].rssBytesPerConnection = 6_700)],
    ['CPU/event ≤ 1.5x memory', (r) => (r.redis.runs[0].series[0].cpuMicrosPerEvent = 15.1)],
    ['events/s ≥ 3x', (r) => (r.redis.runs[0].series[0].eventsPerSecond = 3 * REDIS_BASELINE.eventsPerSecond - 1)],
    ['idle authenticated connections', (r) => (r.idle.rows[0].rssBytes = 2 ** 30 + 1)],
    ['idle authenticated connections', (r) => (r.idle.rows[0].answered = 99_999)],
    ['memory engine: 100.0%', (r) => (r.storm.rows[0].missing = 1)],
    ['memory engine: 100.0%', (r) => (r.storm.rows[0].replayP99Ms = 1_001)],
    ['Redis engine: 100.0%', (r) => (r.storm.rows[2].replayP99Ms = 800)],
    ['p99 latency', (r) => (r.latency.agentwire[0].p99Ms = 1.21)],
    ['scope', (r) => (r.scope[0].microsPerScope = 50)],
  ];
  for (const [text, spoil] of cases) {
    const r = goodRun();
    spoil(r);
    assert.equal(find(r, text).verdict, 'missed', text);
    assert.equal(verdicts(r).filter((v) => v !== 'met').length, 1, `${text}: only its own row`);
  }
});

test('a figure that is absent says why: BENCH_ONLY, a failure, a size or a system left out', () => {
  let r = goodRun();
  r.only = ['fanout'];
  delete r.storm;
  delete r.idle;
  assert.match(find(r, 'resume storm, 10,000 clients, memory').verdict, /^not measured: excluded by BENCH_ONLY; run BENCH_ONLY=storm/);
  assert.match(find(r, 'idle authenticated connections').verdict, /^not measured: excluded by BENCH_ONLY; run BENCH_ONLY=idle100k/);

  r = goodRun();
  r.ns = [100, 1000];
  delete r.fanout.agentwire[5000];
  assert.equal(find(r, 'raw ws, 5,000 users').verdict, 'not measured: 5,000 not in BENCH_NS');
  assert.match(find(r, 'CPU/event ≤ 1.5x memory').verdict, /^met$/);

  r = goodRun();
  r.systems = ['agentwire', 'ws'];
  delete r.fanout.socketio;
  assert.equal(find(r, 'Socket.IO, 5,000').verdict, 'not measured: socketio not in BENCH_SYSTEMS');

  r = goodRun();
  delete r.accept.ws;
  r.errors = ['accept ws run 1: server did not start'];
  assert.match(find(r, 'accept rate').verdict, /^not measured: failed \(accept ws run 1/);

  r = goodRun();
  r.redis = { available: false, reason: 'no Redis at redis://127.0.0.1:6379' };
  assert.match(find(r, 'events/s ≥ 3x').verdict, /^not measured: no Redis/);
});

test('a storm or idle run below the issue\'s size is shown but not judged met', () => {
  const r = goodRun();
  for (const row of r.storm.rows) row.users = 1_000;
  r.idle.rows[0] = { ...r.idle.rows[0], connections: 20_000, opened: 20_000, answered: 20_000 };
  assert.match(find(r, 'memory engine: 100.0%').verdict, /^not measured: ran at 1,000 clients/);
  assert.match(find(r, 'idle authenticated connections').verdict, /^not measured: ran at 20,000/);
  // A run held back by the descriptor limit says so, with a projection that is not judged.
  r.idle.rows[0] = { ...r.idle.rows[0], rssBytes: 150 * 2 ** 20, rssBytesPerConnection: 7_000, limitedBy: 'the descriptor hard limit is 20000' };
  const idle = find(r, 'idle authenticated connections');
  assert.match(idle.verdict, /^not measured: ran at 20,000 \(the descriptor hard limit is 20000\)/);
  assert.match(idle.measured, /100,000 at this slope ≈ 0\.67 GiB \(not measured\)/);
  // ... but a miss at the smaller size is still a miss.
  r.storm.rows[0].missing = 3;
  assert.equal(find(r, 'memory engine: 100.0%').verdict, 'missed');
});
