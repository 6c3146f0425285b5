// What every bench server shares: the control channel, the event driver (the same loop
// for every system) and the process measurements. A system only says how to start, how
// to prepare N users, how to emit one event to user i, and how many sockets it holds.
import { emit as notify, serveControl } from '../lib/control.mjs';
import { loopDelay } from '../lib/loop-delay.mjs';
import { nowMicros, thinkingText } from '../lib/payload.mjs';

const delay = loopDelay();
let snapshots = 0;

/**
 * @param {{
 *   name: string,
 *   start(): Promise<number>,
 *   prepare(userIds: string[]): Promise<void>,
 *   emitTo(index: number, text: string): void,
 *   connections(): number,
 *   close?(): Promise<void>,
 * }} system
 */
export async function runServer(system) {
  const driver = new Driver(system);
  serveControl({
    prepare: async ({ users }) => {
      driver.userCount = users.length;
      await system.prepare(users);
      return { users: users.length };
    },
    connections: () => ({ connections: system.connections() }),
    fanout: ({ window, batch }) => driver.startFanout(window, batch),
    rate: ({ perSecond }) => driver.startRate(perSecond),
    broadcast: ({ intervalMs }) => driver.startBroadcast(intervalMs),
    burst: ({ perUser }) => driver.burst(perUser),
    ack: ({ total }) => driver.ack(total),
    stop: () => driver.stop(),
    usage: () => usage(),
    memory: () => memory(),
    // For finding what a connection holds: node bench/heap-summary.mjs <file>.
    snapshot: async () => {
      await memory();
      const { writeHeapSnapshot } = await import('node:v8');
      return { file: writeHeapSnapshot(`/tmp/bench-${system.name}-${process.pid}-${++snapshots}.heapsnapshot`) };
    },
    close: async () => {
      driver.stop();
      await system.close?.();
      return {};
    },
  });
  const port = await system.start();
  notify({ event: 'listening', port, pid: process.pid });
}

/** Emits round-robin over the prepared users, paced by client acks or by a fixed rate. */
class Driver {
  userCount = 0;
  emitted = 0;
  acked = 0;
  base = 0;
  next = 0;
  mode = 'idle';
  window = 0;
  batch = 0;
  scheduled = false;
  timer = undefined;
  rounds = 0;

  constructor(system) {
    this.system = system;
  }

  startFanout(window, batch) {
    this.ensureIdle();
    this.mode = 'fanout';
    this.window = window;
    this.batch = batch;
    // Acks count from the start of this run (the client resets its counter with it).
    this.base = this.emitted;
    this.acked = 0;
    this.schedule();
    return { emitted: this.emitted };
  }

  startRate(perSecond) {
    this.ensureIdle();
    this.mode = 'rate';
    const startedAt = performance.now();
    const base = this.emitted;
    // At most 10 ms worth per tick, so a stalled tick cannot turn into a burst.
    const maxPerTick = Math.ceil(perSecond / 100);
    const tick = () => {
      if (this.mode !== 'rate') return;
      const due = Math.floor(((performance.now() - startedAt) * perSecond) / 1000) - (this.emitted - base);
      this.emitSome(Math.min(due, maxPerTick));
      this.timer = setTimeout(tick, 1);
    };
    this.timer = setTimeout(tick, 1);
    return { emitted: this.emitted };
  }

  /**
   * One event to every user each `intervalMs` (the storm workload, workloads/storm.mjs):
   * `rounds` is how many broadcasts went out, so every user's stream holds exactly that many.
   */
  startBroadcast(intervalMs) {
    this.ensureIdle();
    this.mode = 'broadcast';
    this.rounds = 0;
    // Each round is due at a fixed time from the start, so a slow broadcast does not stretch
    // the period and lighten the load the storm puts on the server.
    const startedAt = performance.now();
    const round = () => {
      if (this.mode !== 'broadcast') return;
      this.next = 0;
      this.emitSome(this.userCount);
      this.rounds++;
      this.timer = setTimeout(round, Math.max(0, startedAt + (this.rounds + 1) * intervalMs - performance.now()));
    };
    this.timer = setTimeout(round, intervalMs);
    return { emitted: this.emitted };
  }

  /** `perUser` events to every user at once, then a turn of the loop for them to land (workloads/reconnect.mjs). */
  async burst(perUser) {
    this.ensureIdle();
    this.next = 0;
    this.emitSome(perUser * this.userCount);
    await new Promise((resolve) => setImmediate(resolve));
    return { emitted: this.emitted };
  }

  ack(total) {
    this.acked = Math.max(this.acked, total);
    if (this.mode === 'fanout') this.schedule();
  }

  stop() {
    this.mode = 'idle';
    clearTimeout(this.timer);
    return { emitted: this.emitted, rounds: this.rounds };
  }

  ensureIdle() {
    if (this.mode !== 'idle') throw new Error(`driver busy (${this.mode})`);
    if (this.userCount === 0) throw new Error('no users prepared');
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.mode !== 'fanout') return;
      const free = this.window - (this.emitted - this.base - this.acked);
      if (free <= 0) return; // the next ack reschedules
      this.emitSome(Math.min(free, this.batch));
      this.schedule();
    });
  }

  emitSome(count) {
    const { system, userCount } = this;
    let next = this.next;
    for (let k = 0; k < count; k++) {
      system.emitTo(next, thinkingText(nowMicros()));
      next = next + 1 === userCount ? 0 : next + 1;
    }
    this.next = next;
    this.emitted += count;
  }
}

/** CPU so far, peak RSS, and the loop delay since the previous call (it resets the histogram). */
function usage() {
  const cpu = process.cpuUsage();
  // maxRSS (KiB): the peak, for workloads whose memory moves during the run (the storm).
  return { cpuMicros: cpu.user + cpu.system, atMicros: nowMicros(), maxRssBytes: process.resourceUsage().maxRSS * 1024, ...delay.take() };
}

/** Settles the heap first (the servers run with --expose-gc) so deltas compare live memory. */
async function memory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed, gc: typeof globalThis.gc === 'function' };
}
