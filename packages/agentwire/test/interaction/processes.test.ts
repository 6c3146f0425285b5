import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayProcess } from '../helpers/gateway-processes.js';
import { startProcessCluster, type ProcessCluster } from '../redis/support/process-cluster.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { waitUntil } from '../helpers/wait.js';
import type { TestClient } from '../helpers/ws-client.js';
import { accepted, answerText, errorsFor, eventOf, runEvents } from './support.js';

/**
 * Protocol 1.2's "first answer wins, on any process" with real gateway processes (the
 * compiled standalone CLI, one Redis, one PostgreSQL), driving the demo agent: tabs of one
 * user on processes A and B answer the same request at the same moment.
 */
let cluster: ProcessCluster;
let a: GatewayProcess;
let b: GatewayProcess;

beforeAll(async () => {
  cluster = await startProcessCluster();
  const env = { ...cluster.env, AGENTWIRE_DEMO_DELAY_MS: '0' };
  [a, b] = await Promise.all([cluster.processes.start('A', env), cluster.processes.start('B', env)]);
}, 180_000);

afterAll(() => cluster?.dispose());

const connect = (gateway: GatewayProcess, userId: string): Promise<TestClient> => cluster.connect(gateway, userId);

async function say(client: TestClient, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { run_id: runId } = accepted(await client.ask(text, extra));
  await client.waitForRunEnd(runId);
  return runId;
}

const user = (tag: string): string => `interaction-${tag}-${process.pid}-${Date.now()}`;

describe('two gateway processes, one user with a tab on each', () => {
  it('approve_tool from both at once: one tool_approval_resolved, the other tab gets already_resolved, the effect matches the winner', async () => {
    const u = user('approve');
    const onA = await connect(a, u);
    const onB = await connect(b, u);
    await say(onA, 'Remember that the launch is on Friday');
    const { run_id: runId } = accepted(await onA.ask('Forget what I noted about the launch'));
    const request = await eventOf(onB, runId, 'tool_approval_requested');
    onA.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: true });
    onB.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: false });
    await onA.waitForRunEnd(runId, 15_000);
    await onB.waitForRunEnd(runId, 15_000);
    await waitUntil(() => errorsFor(onA, runId).length + errorsFor(onB, runId).length === 1, 'one already_resolved');
    const events = runEvents(onA, runId);
    const resolved = events.filter((e): e is StreamEvent<'tool_approval_resolved'> => e.type === 'tool_approval_resolved');
    expect(resolved).toHaveLength(1);
    const approved = resolved[0]!.data.approved;
    expect(errorsFor(approved ? onB : onA, runId).map((e) => e.code)).toEqual(['already_resolved']);
    expect(events.some((e) => e.type === 'tool_executing')).toBe(approved);
    expect(answerText(events)).toMatch(approved ? /Forgotten: 1 note/ : /nothing was deleted/);
    expect(runEvents(onB, runId).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('tool_result from both at once: one tool_completed, the other tab gets already_resolved', async () => {
    const u = user('client');
    const onA = await connect(a, u);
    const onB = await connect(b, u);
    const localTime = { name: 'local_time', description: 'local time', parameters: { type: 'object' } };
    const { run_id: runId } = accepted(await onB.ask('What time is it here?', { client_tools: [localTime] }));
    const call = await eventOf(onA, runId, 'tool_executing');
    onA.send({ type: 'tool_result', run_id: runId, tool_call_id: call.data.tool_call_id, result: 'noon on A' });
    onB.send({ type: 'tool_result', run_id: runId, tool_call_id: call.data.tool_call_id, result: 'noon on B' });
    await onA.waitForRunEnd(runId, 15_000);
    await waitUntil(() => errorsFor(onA, runId).length + errorsFor(onB, runId).length === 1, 'one already_resolved');
    const done = runEvents(onA, runId).filter((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');
    expect(done).toHaveLength(1);
    const winner = done[0]!.data.result as string;
    expect(errorsFor(winner === 'noon on A' ? onB : onA, runId).map((e: Reply<'error'>['data']) => e.code)).toEqual(['already_resolved']);
    expect(answerText(runEvents(onA, runId))).toContain(winner);
  });
});
