import { createDemoAgent } from '../../src/index.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import type { EngineFactory } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { dedupeBySeq, goldenPathProblems, seqProblems } from './support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { seededRandom } from '../helpers/seeded-random.js';

export interface ChaosConfig {
  readonly engine: EngineFactory;
  readonly seed: number;
  readonly users: number;
  readonly tabsPerUser: number;
  /** Runs to submit; with `durationMs`, submitting also stops once that much time has passed. */
  readonly runs: number;
  readonly durationMs?: number;
  /** Runs in flight at once, over all users. */
  readonly concurrency: number;
  /** Chance, after each submitted run, that a random tab's socket is dropped and reconnected. */
  readonly dropChance: number;
  /** Retained events per user; must hold a whole user's stream for the final comparison. */
  readonly retentionEvents: number;
}

export interface ChaosReport {
  readonly durationMs: number;
  readonly users: number;
  readonly tabs: number;
  readonly runs: number;
  readonly events: number;
  readonly drops: number;
  /** Seqs of a user's stream missing from a tab, or out of order/doubled on one connection. */
  readonly losses: number;
  /** Frames on a user's socket that are not that user's event at that seq. */
  readonly leaks: number;
  readonly problems: readonly string[];
}


const QUESTIONS = [
  'What is 17 * 23?',
  'What is (2 + 3) * 4 and the time in UTC?',
  'What is 2 ^ 10 - 1?',
  'remember that the chaos monkey was here',
  'what did I note about chaos?',
  'What is 1 / 0?',
  'hello',
];

/** One browser tab of a user: a socket that is dropped and resumes, and everything it received. */
class Tab {
  connection: TestClient | undefined;
  /** Every event received, over all of this tab's connections, in arrival order. */
  readonly history: StreamEvent[] = [];
  startSeq = 0;
  epoch: string | undefined;

  constructor(
    readonly userId: string,
    private readonly token: string,
    private readonly wsUrl: string,
    private readonly problems: string[],
  ) {}

  get lastSeq(): number {
    return this.history.at(-1)?.seq ?? this.startSeq;
  }

  async connect(): Promise<void> {
    const query: Record<string, string | number> = this.epoch === undefined ? {} : { last_seq: this.lastSeq, epoch: this.epoch };
    const client = await TestClient.connect(this.wsUrl, { token: this.token, query });
    const established = client.established;
    if (established.user_id !== this.userId) this.problems.push(`${this.userId}: connection_established for ${established.user_id}`);
    if (this.epoch === undefined) {
      this.epoch = established.epoch;
      this.startSeq = established.last_seq;
    } else if (!established.resumed) {
      this.problems.push(`${this.userId}: resume after ${this.lastSeq} refused`);
    }
    this.connection = client;
  }

  /** Ends the current connection (abruptly: no close handshake) and keeps what it received. */
  async drop(graceful = false): Promise<void> {
    const client = this.connection;
    if (!client) return;
    this.connection = undefined;
    const from = this.lastSeq;
    if (graceful) await client.close();
    else {
      client.socket.terminate();
      await client.closed;
    }
    const events = client.events();
    for (const problem of seqProblems(events, from)) this.problems.push(`${this.userId} connection after ${from}: ${problem}`);
    this.history.push(...events);
  }

  /** Seq of the newest event this tab holds, counting the open connection. */
  seen(): number {
    return this.connection?.events().at(-1)?.seq ?? this.lastSeq;
  }
}

interface ChaosUser {
  readonly userId: string;
  readonly tabs: Tab[];
  readonly runIds: Set<string>;
  readonly clientMsgIds: Set<string>;
}

/**
 * The chaos scenario of issue 3: users with several tabs, runs submitted at random while
 * sockets are dropped and resumed at random; then every tab's history is compared with
 * the server's stream of its user.
 */
export async function runChaos(config: ChaosConfig): Promise<ChaosReport> {
  const started = Date.now();
  const random = seededRandom(config.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const problems: string[] = [];
  const server = await startTestServer({
    engine: config.engine,
    agents: [createDemoAgent({ delayMs: 1 })],
    retention: { maxEvents: config.retentionEvents },
    limits: { maxRunsInFlightPerUser: config.concurrency + 1 },
  });
  try {
    const users = await Promise.all(
      Array.from({ length: config.users }, async (_, u): Promise<ChaosUser> => {
        const userId = `chaos-${config.engine.name}-${config.seed}-${process.pid}-${u}`;
        const token = await server.token(userId);
        const tabs = Array.from({ length: config.tabsPerUser }, () => new Tab(userId, token, server.wsUrl, problems));
        await Promise.all(tabs.map((t) => t.connect()));
        return { userId, tabs, runIds: new Set(), clientMsgIds: new Set() };
      }),
    );

    let drops = 0;
    const chaos = new Set<Promise<void>>();
    const dropSomeTab = () => {
      const tab = pick(pick(users).tabs);
      if (!tab.connection) return;
      drops++;
      const reconnectAfterMs = Math.floor(random() * 20);
      const work = (async () => {
        await tab.drop();
        await new Promise((resolve) => setTimeout(resolve, reconnectAfterMs));
        await tab.connect();
      })().catch((error: unknown) => {
        problems.push(`drop/reconnect failed: ${String(error)}`);
      });
      chaos.add(work);
      void work.finally(() => chaos.delete(work));
    };

    const inFlight = new Set<Promise<void>>();
    let submitted = 0;
    const timeLeft = () => config.durationMs === undefined || Date.now() - started < config.durationMs;
    while (submitted < config.runs && timeLeft()) {
      while (inFlight.size >= config.concurrency) await Promise.race(inFlight);
      const user = pick(users);
      const clientMsgId = `m-${submitted++}`;
      const text = pick(QUESTIONS);
      const work = submitAndFinish(server, user, clientMsgId, text, pick).catch((error: unknown) => {
        problems.push(`${user.userId} ${clientMsgId}: ${String(error)}`);
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      if (random() < config.dropChance) dropSomeTab();
    }
    await Promise.all(inFlight);
    while (chaos.size > 0) await Promise.all(chaos);

    let events = 0;
    let losses = 0;
    let leaks = 0;
    for (const user of users) {
      const head = (await server.bus.log.head(user.userId)).lastSeq;
      await waitUntil(() => user.tabs.every((t) => t.seen() >= head), `${user.userId}'s tabs to catch up to ${head}`, 30_000);
      await Promise.all(user.tabs.map((t) => t.drop(true)));
      const read = await server.bus.log.readAfter(user.userId, 0);
      const stream = read.events.map((a) => a.event);
      if (read.oldestSeq !== 1) problems.push(`${user.userId}: retention dropped events; raise retentionEvents`);
      events += stream.length;
      const bySeq = new Map(stream.map((e) => [e.seq, JSON.stringify(e)]));
      for (const tab of user.tabs) {
        const order = seqProblems(tab.history, tab.startSeq);
        losses += order.length + Math.max(0, head - tab.lastSeq);
        for (const problem of order) problems.push(`${user.userId} tab: ${problem}`);
        for (const event of tab.history) {
          if (!user.runIds.has(event.run_id ?? '') || bySeq.get(event.seq) !== JSON.stringify(event)) {
            leaks++;
            problems.push(`${user.userId} received a frame not of its stream: ${JSON.stringify(event).slice(0, 200)}`);
          }
        }
      }
      const union = dedupeBySeq(user.tabs.map((t) => t.history));
      const startSeq = Math.min(...user.tabs.map((t) => t.startSeq));
      if (JSON.stringify(union) !== JSON.stringify(stream.filter((e) => e.seq > startSeq))) {
        problems.push(`${user.userId}: the union of its tabs differs from its stream`);
      }
      problems.push(...goldenPathProblems(stream).map((p) => `${user.userId}: ${p}`));
      const messages = stream.filter((e) => e.type === 'user_message');
      if (messages.length !== user.clientMsgIds.size) {
        problems.push(`${user.userId}: ${messages.length} user_message events for ${user.clientMsgIds.size} distinct messages`);
      }
      for (const runId of user.runIds) {
        if (!stream.some((e) => e.run_id === runId && (e.type === 'agent_completed' || e.type === 'agent_error'))) {
          problems.push(`${user.userId}: run ${runId} has no terminal event`);
        }
      }
    }
    if (server.gateway.stats.isolationViolations !== 0) problems.push(`isolation guard tripped ${server.gateway.stats.isolationViolations} times`);
    return {
      durationMs: Date.now() - started,
      users: config.users,
      tabs: config.users * config.tabsPerUser,
      runs: submitted,
      events,
      drops,
      losses,
      leaks,
      problems,
    };
  } finally {
    await server.close();
  }
}

/**
 * Sends one message from a connected tab, resending the same `client_msg_id` from another
 * tab when the socket drops before `message_accepted` (the server must not start a second
 * run), then waits until the server has finished the run.
 */
async function submitAndFinish(
  server: TestServer,
  user: ChaosUser,
  clientMsgId: string,
  text: string,
  pick: <T>(items: readonly T[]) => T,
): Promise<void> {
  user.clientMsgIds.add(clientMsgId);
  let runId: string | undefined;
  for (let attempt = 0; attempt < 50 && runId === undefined; attempt++) {
    const connected = user.tabs.filter((t) => t.connection);
    if (connected.length === 0) {
      await waitUntil(() => user.tabs.some((t) => t.connection), `a connected tab of ${user.userId}`);
      continue;
    }
    const client = pick(connected).connection!;
    client.send({ type: 'user_message', client_msg_id: clientMsgId, text });
    const answer = await Promise.race([
      client
        .waitFor((f) => (f.type === 'message_accepted' || f.type === 'error') && (f.data as { client_msg_id?: string }).client_msg_id === clientMsgId, 15_000)
        .catch(() => undefined),
      client.closed.then(() => undefined),
    ]);
    if (answer?.type === 'error') throw new Error(`refused: ${JSON.stringify(answer)}`);
    if (answer?.type === 'message_accepted') runId = (answer as Reply<'message_accepted'>).data.run_id;
  }
  if (runId === undefined) throw new Error('never accepted');
  user.runIds.add(runId);
  const accepted = runId;
  await waitUntil(async () => (await server.bus.runs.get(accepted))?.status === 'finished', `run ${accepted} to finish`, 30_000);
}

/** The one-line summary of `npm run soak`. */
export function summaryLine(report: ChaosReport): string {
  return `soak: duration=${(report.durationMs / 1000).toFixed(1)}s users=${report.users} tabs=${report.tabs} runs=${report.runs} events=${report.events} drops=${report.drops} losses=${report.losses} leaks=${report.leaks} problems=${report.problems.length}`;
}
