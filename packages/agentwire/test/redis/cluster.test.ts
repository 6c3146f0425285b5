import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testToken as token } from '../helpers/server.js';
import type { GatewayProcess } from '../helpers/gateway-processes.js';
import { startProcessCluster, type ProcessCluster } from './support/process-cluster.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { goldenPathProblems, seqProblems } from '../chaos/support/stream-checks.js';
import { TestClient } from '../helpers/ws-client.js';

/**
 * Three gateway processes (A, B, C) on three ports, one Redis, one key prefix: what
 * docs/deploy.md promises, with real processes started from the compiled CLI.
 */
let cluster: ProcessCluster;
let a: GatewayProcess;
let b: GatewayProcess;
let c: GatewayProcess;

beforeAll(async () => {
  cluster = await startProcessCluster();
  const env = { ...cluster.env, AGENTWIRE_DEMO_DELAY_MS: '150' };
  [a, b, c] = await Promise.all([cluster.processes.start('A', env), cluster.processes.start('B', env), cluster.processes.start('C', env)]);
}, 180_000);

afterAll(() => cluster?.dispose());

const connect = (gateway: GatewayProcess, userId: string, query: Record<string, string | number> = {}): Promise<TestClient> => cluster.connect(gateway, userId, query);

function accepted(frame: unknown): Reply<'message_accepted'>['data'] {
  const reply = frame as Reply;
  if (reply.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(reply)}`);
  return reply.data;
}

const user = (tag: string): string => `cluster-${tag}-${process.pid}-${Date.now()}`;
const terminal = (events: readonly StreamEvent[], runId: string) => events.find((e) => e.run_id === runId && (e.type === 'agent_completed' || e.type === 'agent_error'));

describe('three gateway processes sharing one Redis', () => {
  it('a user with sockets on A and C sends through B: every socket receives the identical ordered stream', async () => {
    const u = user('fanout');
    const onA = await connect(a, u);
    const onC = await connect(c, u);
    const onB = await connect(b, u);
    const { run_id: runId } = accepted(await onB.ask('What is 17 * 23?'));
    await Promise.all([onA, onB, onC].map((client) => client.waitForRunEnd(runId)));

    const streams = [onA, onB, onC].map((client) => client.events());
    const types = streams[0]!.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['user_message', 'agent_started']);
    expect(types).toContain('agent_message_delta');
    expect(streams[0]!.filter((e) => e.type === 'tool_executing').map((e) => e.data.tool_name)).toEqual(['calculator']);
    expect(seqProblems(streams[0]!, 0)).toEqual([]);
    expect(goldenPathProblems(streams[0]!)).toEqual([]);
    expect(terminal(streams[0]!, runId)).toMatchObject({ type: 'agent_completed', data: { result: { text: expect.stringContaining('17 * 23 = 391') } } });
    expect(streams[1]).toEqual(streams[0]);
    expect(streams[2]).toEqual(streams[0]);
    // All three processes agree with the retained history any of them would replay.
    const late = await connect(a, u, { last_seq: 0, epoch: onA.established.epoch });
    await late.waitFor((f) => 'seq' in f && f.seq === streams[0]!.at(-1)!.seq);
    expect(late.events()).toEqual(streams[0]);
  });

  it('a stop_agent sent to C reaches the run executing on B', async () => {
    const u = user('stop');
    const onB = await connect(b, u);
    const onC = await connect(c, u);
    const { run_id: runId } = accepted(await onB.ask('What is 2 ^ 10 and 3 * 3 and 4 + 4 and 5 - 1?'));
    await onC.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'tool_executing');
    onC.send({ type: 'stop_agent', run_id: runId });
    const end = await onC.waitForRunEnd(runId);
    expect(end).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await onB.waitForRunEnd(runId);
    expect(onB.events()).toEqual(onC.events());
    expect(goldenPathProblems(onC.events())).toEqual([]);
  });

  it('a resent client_msg_id on another process starts no second run; a ticket from A is redeemed once, on C', async () => {
    const u = user('idem');
    const onA = await connect(a, u);
    const onC = await connect(c, u);
    const first = accepted(await onA.ask('What is 6 * 7?', {}, 'same-id'));
    const again = accepted(await onC.ask('What is 6 * 7?', {}, 'same-id'));
    expect(again).toEqual(first);
    await onA.waitForRunEnd(first.run_id);
    expect(onA.events().filter((e) => e.type === 'user_message')).toHaveLength(1);
    expect(onA.events().filter((e) => e.type === 'agent_started')).toHaveLength(1);

    const issued = await fetch(`${a.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${await token(u)}` } });
    const { ticket } = (await issued.json()) as { ticket: string };
    const viaTicket = await TestClient.connect(c.wsUrl, { ticket });
    expect(viaTicket.established.user_id).toBe(u);
    await viaTicket.close();
    const reused = TestClient.open(b.wsUrl, { ticket });
    expect((await reused.closed).code).toBe(1008);
  });

  // Last: it kills A.
  it('kill -9 of the process holding the only socket mid-run: resume on C gets the rest with no gap or duplicate; the run on B completes', async () => {
    const u = user('kill');
    const onA = await connect(a, u);
    const sender = await connect(b, u);
    const { run_id: runId } = accepted(await sender.ask('What is 17 * 23 and 2 ^ 10 and 9 - 4?'));
    // The run executes on B; the user's only socket from now on is the one on A.
    await sender.close();
    await onA.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'tool_executing');

    a.child.kill('SIGKILL');
    await a.exited;
    const { code } = await onA.closed;
    expect(code).toBe(1006);
    const seen = onA.events();
    expect(terminal(seen, runId), 'the run was still going when A died').toBeUndefined();

    const lastSeq = seen.at(-1)!.seq;
    const onC = await connect(c, u, { last_seq: lastSeq, epoch: onA.established.epoch });
    expect(onC.established).toMatchObject({ resumed: true, epoch: onA.established.epoch });
    const end = await onC.waitForRunEnd(runId);
    expect(end).toMatchObject({ type: 'agent_completed', data: { result: { text: expect.stringContaining('17 * 23 = 391') } } });

    const rest = onC.events();
    expect(rest[0]!.seq).toBe(lastSeq + 1);
    const whole = [...seen, ...rest];
    expect(seqProblems(whole, 0)).toEqual([]);
    expect(goldenPathProblems(whole)).toEqual([]);
    expect((await fetch(`${b.httpUrl}/health/websocket`).then((r) => r.json())) as object).toMatchObject({ status: 'ok', engine: 'redis' });
  });
});
