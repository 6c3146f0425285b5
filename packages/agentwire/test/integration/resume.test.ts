import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { Gates, GATED_STREAM, gatedAgent, type GatedScript } from '../chaos/support/gated-agent.js';
import { seqProblems } from '../chaos/support/stream-checks.js';
import { isTerminal } from './support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines, type EngineFactory } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';


function acceptedRunId(frame: unknown): string {
  const reply = frame as Reply;
  if (reply.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(reply)}`);
  return reply.data.run_id;
}

async function streamOf(server: TestServer, userId: string): Promise<StreamEvent[]> {
  return (await server.bus.log.readAfter(userId, 0)).events.map((a) => a.event);
}

/** Waits until `client`, which started after `since`, holds every event of the user's stream so far. */
async function caughtUp(server: TestServer, client: TestClient, userId: string, since = 0): Promise<void> {
  await waitUntil(async () => {
    const head = (await server.bus.log.head(userId)).lastSeq;
    return (client.events().at(-1)?.seq ?? since) >= head;
  }, `${userId} to catch up`);
}

/** Starts a server with a demo agent answering, and runs one message to completion for `userId`. */
async function filledStream(server: TestServer, userId: string, text = 'What is 17 * 23?'): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
  const runId = acceptedRunId(await client.ask(text, { agent: 'demo' }));
  await client.waitForRunEnd(runId);
  return client;
}

describe.each(testEngines())('resume at every position of a run ($name engine)', (engine) => {
  const gates = new Gates();
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [gatedAgent(gates)] });
  });
  afterAll(() => server.close());

  /**
   * One disconnect: `subject` keeps the first `kept` events it received (a client that lost
   * the rest in flight), is away while the run takes `awaySteps` more steps, then resumes
   * with the last seq it kept. What it kept plus what the resumed socket receives must be
   * the user's whole stream: no gap, no duplicate.
   */
  async function disconnectAt(script: GatedScript, kept: number, awaySteps: number): Promise<void> {
    const userId = `resume-${engine.name}-${script}-${kept}-${awaySteps}-${process.pid}`;
    const token = await server.token(userId);
    const driver = await TestClient.connect(server.wsUrl, { token });
    const subject = await TestClient.connect(server.wsUrl, { token });
    const { epoch, last_seq: baseSeq } = subject.established;
    const runId = acceptedRunId(await driver.ask(script === 'fails' ? 'fail please' : 'go'));
    const gate = gates.for(runId);
    const ended = () => driver.events().some(isTerminal);
    const advance = async () => {
      const arrivals = gate.arrivals;
      gate.release();
      await waitUntil(() => gate.arrivals > arrivals || ended(), 'the gated run to take a step');
      await caughtUp(server, driver, userId);
    };

    await caughtUp(server, driver, userId);
    while (subject.events().length < kept) {
      await advance();
      await caughtUp(server, subject, userId);
    }
    const before = subject.events().slice(0, kept);
    const lastSeq = kept === 0 ? baseSeq : before[kept - 1]!.seq;
    await subject.close();
    for (let i = 0; i < awaySteps && !ended(); i++) await advance();

    const resumed = await TestClient.connect(server.wsUrl, { token, query: { last_seq: lastSeq, epoch } });
    expect(resumed.established.resumed).toBe(true);
    while (!ended()) await advance();
    await caughtUp(server, resumed, userId, lastSeq);

    const full = await streamOf(server, userId);
    expect(full.map((e) => e.type)).toEqual(GATED_STREAM[script]);
    expect(resumed.replies('resume_gap')).toEqual([]);
    expect([...before, ...resumed.events()]).toEqual(full);
    expect(seqProblems(resumed.events(), lastSeq)).toEqual([]);
    await Promise.all([driver.close(), resumed.close()]);
  }

  for (const script of ['completes', 'fails'] as const) {
    const positions = GATED_STREAM[script].length;
    it(`a run that ${script}: disconnect after each of its ${positions} events (and before the first), resume with last_seq + epoch, nothing missed while connected`, async () => {
      for (let kept = 0; kept <= positions; kept++) await disconnectAt(script, kept, 0);
    });
    it(`a run that ${script}: disconnect after each event while the run goes on without the socket, resume gets what it missed once, in order`, async () => {
      for (let kept = 0; kept <= positions; kept++) await disconnectAt(script, kept, 1);
    });
  }
});

describe.each(testEngines())('resume refused: resume_gap then live ($name engine)', (engine: EngineFactory) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [createDemoAgent({ delayMs: 0 })] });
  });
  afterAll(() => server.close());

  /** Resumes with `query`, expects `resume_gap` right after `connection_established`, then live events. */
  async function expectGap(userId: string, query: Record<string, string | number>, requestedAfter: number): Promise<void> {
    const token = await server.token(userId);
    const head = await server.bus.log.head(userId);
    const client = await TestClient.connect(server.wsUrl, { token, query });
    await client.waitFor((f) => f.type === 'resume_gap');
    expect(client.established).toMatchObject({ resumed: false, last_seq: head.lastSeq, epoch: head.epoch });
    expect(client.frames[1]).toEqual({
      type: 'resume_gap',
      data: { requested_after: requestedAfter, oldest_available: head.oldestSeq, epoch: head.epoch },
    });
    expect(client.events()).toEqual([]);
    // Then live: the next run's events arrive, starting right after the stream's head.
    const runId = acceptedRunId(await client.ask('What is 2 + 2?'));
    await client.waitForRunEnd(runId);
    expect(seqProblems(client.events(), head.lastSeq)).toEqual([]);
    await client.close();
  }

  it('another epoch: resume_gap with the current epoch, then live', async () => {
    const userId = `gap-epoch-${engine.name}-${process.pid}`;
    const first = await filledStream(server, userId);
    await first.close();
    await expectGap(userId, { last_seq: 2, epoch: 'not-this-epoch' }, 2);
  });

  it('missing epoch: resume_gap, then live', async () => {
    const userId = `gap-noepoch-${engine.name}-${process.pid}`;
    await (await filledStream(server, userId)).close();
    await expectGap(userId, { last_seq: 2 }, 2);
  });

  it.each(['abc', '-1', '1.5', '', '1e3', '99999999999999999999'])('malformed last_seq %j: resume_gap (requested_after 0), then live', async (raw) => {
    const userId = `gap-malformed-${engine.name}-${JSON.stringify(raw)}-${process.pid}`;
    const first = await filledStream(server, userId);
    const { epoch } = first.established;
    await first.close();
    await expectGap(userId, { last_seq: raw, epoch }, 0);
  });

  it('last_seq above the newest seq: resume_gap, then live', async () => {
    const userId = `gap-above-${engine.name}-${process.pid}`;
    const first = await filledStream(server, userId);
    const { epoch } = first.established;
    await first.close();
    const head = await server.bus.log.head(userId);
    await expectGap(userId, { last_seq: head.lastSeq + 1, epoch }, head.lastSeq + 1);
  });

  it('last_seq at exactly the newest seq: resumed true, nothing replayed, then live from newest + 1', async () => {
    const userId = `resume-head-${engine.name}-${process.pid}`;
    const first = await filledStream(server, userId);
    const { epoch } = first.established;
    await first.close();
    const head = await server.bus.log.head(userId);
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId), query: { last_seq: head.lastSeq, epoch } });
    expect(client.established).toMatchObject({ resumed: true, last_seq: head.lastSeq, epoch });
    const runId = acceptedRunId(await client.ask('What is 3 * 3?'));
    await client.waitForRunEnd(runId);
    expect(client.replies('resume_gap')).toEqual([]);
    expect(client.events()[0]?.seq).toBe(head.lastSeq + 1);
    expect(seqProblems(client.events(), head.lastSeq)).toEqual([]);
    await client.close();
  });

  it('last_seq 0 with the right epoch replays the whole retained stream', async () => {
    const userId = `resume-zero-${engine.name}-${process.pid}`;
    const first = await filledStream(server, userId);
    const { epoch } = first.established;
    await first.close();
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId), query: { last_seq: 0, epoch } });
    await caughtUp(server, client, userId);
    expect(client.established.resumed).toBe(true);
    expect(client.events()).toEqual(await streamOf(server, userId));
    await client.close();
  });
});

describe.each(testEngines())('resume past retention ($name engine)', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [createDemoAgent({ delayMs: 0 })], retention: { maxEvents: 4 } });
  });
  afterAll(() => server.close());

  it('last_seq older than what is retained: resume_gap names the oldest retained seq, then live', async () => {
    const userId = `gap-retention-${engine.name}-${process.pid}`;
    const first = await filledStream(server, userId);
    const { epoch } = first.established;
    await first.close();
    const head = await server.bus.log.head(userId);
    expect(head.lastSeq).toBeGreaterThan(5);
    expect(head.oldestSeq).toBe(head.lastSeq - 3);

    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId), query: { last_seq: 1, epoch } });
    await client.waitFor((f) => f.type === 'resume_gap');
    expect(client.established.resumed).toBe(false);
    expect(client.frames[1]).toEqual({ type: 'resume_gap', data: { requested_after: 1, oldest_available: head.oldestSeq, epoch } });
    const runId = acceptedRunId(await client.ask('What is 5 - 1?'));
    await client.waitForRunEnd(runId);
    expect(seqProblems(client.events(), head.lastSeq)).toEqual([]);

    // One before the oldest retained is still a complete resume: nothing it needs was dropped.
    const current = await server.bus.log.head(userId);
    const edge = await TestClient.connect(server.wsUrl, { token: await server.token(userId), query: { last_seq: current.oldestSeq - 1, epoch } });
    await caughtUp(server, edge, userId);
    expect(edge.established.resumed).toBe(true);
    expect(edge.events()).toEqual(await streamOf(server, userId));
    await Promise.all([client.close(), edge.close()]);
  });
});

describe('the epoch changes when the history is lost (memory engine)', () => {
  it('a new gateway with a new memory bus is a new epoch: an old position is refused even where its seq exists', async () => {
    const userId = `epoch-restart-${process.pid}`;
    const before = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })] });
    const oldClient = await filledStream(before, userId);
    const oldEpoch = oldClient.established.epoch;
    await before.close();

    const after = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })] });
    try {
      await (await filledStream(after, userId, 'What is 6 * 7?')).close();
      const head = await after.bus.log.head(userId);
      expect(head.epoch).not.toBe(oldEpoch);
      const client = await TestClient.connect(after.wsUrl, { token: await after.token(userId), query: { last_seq: 3, epoch: oldEpoch } });
      await client.waitFor((f) => f.type === 'resume_gap');
      expect(client.established).toMatchObject({ resumed: false, epoch: head.epoch });
      expect(client.frames[1]).toEqual({ type: 'resume_gap', data: { requested_after: 3, oldest_available: head.oldestSeq, epoch: head.epoch } });
      expect(client.events()).toEqual([]);
      await client.close();
    } finally {
      await after.close();
    }
  });

  it('a user whose idle scope was released starts a new epoch: the old position answers resume_gap', async () => {
    const server = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })], scopeIdleMs: 20 });
    try {
      const userId = `epoch-release-${process.pid}`;
      const first = await filledStream(server, userId);
      const { epoch } = first.established;
      const lastSeq = first.events().at(-1)!.seq;
      await first.close();
      await waitUntil(() => server.gateway.scopeCount === 0, 'the idle scope to be released');
      const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId), query: { last_seq: lastSeq, epoch } });
      await client.waitFor((f) => f.type === 'resume_gap');
      expect(client.established.resumed).toBe(false);
      expect(client.established.epoch).not.toBe(epoch);
      await client.close();
    } finally {
      await server.close();
    }
  });
});
