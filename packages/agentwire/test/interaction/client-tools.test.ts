import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/protocol/types.js';
import { testEngines } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import type { TestClient } from '../helpers/ws-client.js';
import { expectEventShape } from '../integration/support/stream-checks.js';
import { accepted, answerText, askingAgent, interactionFixtures, errorReply, errorsFor, eventOf, runEvents, startTwoGateways, type TwoGateways } from './support.js';

/**
 * docs/protocol.md, "Client tools" (protocol 1.2): a `tool_executing` with
 * `executor: "client"` is answered by the first `tool_result` from any of the user's tabs,
 * on any process; later answers get `already_resolved`; no answer in time completes it
 * with an error.
 */
const { server, tab } = interactionFixtures();

async function callClient(client: TestClient): Promise<{ runId: string; call: StreamEvent<'tool_executing'> }> {
  const { run_id: runId } = accepted(await client.ask('client tool please', { agent: 'asker' }));
  return { runId, call: await eventOf(client, runId, 'tool_executing') };
}

const answer = (client: TestClient, runId: string, toolCallId: string, outcome: Record<string, unknown>) =>
  client.send({ type: 'tool_result', run_id: runId, tool_call_id: toolCallId, ...outcome });

const completions = (events: readonly StreamEvent[]) => events.filter((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');

const LOCAL_TIME = { name: 'local_time', description: "The user's local time", parameters: { type: 'object', properties: {} } };

describe.each(testEngines())('client tools on the $name engine', (engine) => {
  it('tool_executing says executor "client"; the tab\'s tool_result becomes tool_completed and the run uses it', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, call } = await callClient(client);
    expect(call.data).toMatchObject({ tool_name: 'local_time', args: { format: 'iso' }, executor: 'client' });
    answer(client, runId, call.data.tool_call_id, { result: { local: '11:00' } });
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    for (const event of events) expectEventShape(event);
    expect(completions(events).map((e) => e.data)).toEqual([
      { tool_call_id: call.data.tool_call_id, tool_name: 'local_time', result: { local: '11:00' }, duration_ms: expect.any(Number) },
    ]);
    expect(answerText(events)).toBe('result={"local":"11:00"}');
    expect(errorsFor(client, runId)).toEqual([]);
  });

  it('an error answer completes the call with that error', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, call } = await callClient(client);
    answer(client, runId, call.data.tool_call_id, { error: 'permission denied' });
    await client.waitForRunEnd(runId);
    expect(completions(runEvents(client, runId))[0]!.data).toMatchObject({ error: 'permission denied' });
    expect(answerText(runEvents(client, runId))).toBe('error=permission denied');
  });

  it('no answer within the client tool timeout completes it with an error; a late answer gets already_resolved', async () => {
    const s = await server({ engine, clientToolTimeoutMs: 150 });
    const client = await tab(s, 'alice');
    const { runId, call } = await callClient(client);
    await client.waitForRunEnd(runId);
    expect(completions(runEvents(client, runId))[0]!.data.error).toMatch(/did not answer within 150 ms/);
    answer(client, runId, call.data.tool_call_id, { result: 'late' });
    await errorReply(client, runId, 'already_resolved');
    expect(completions(runEvents(client, runId))).toHaveLength(1);
  });

  it('stop while waiting: the call completes with an error before agent_error cancelled; a later answer gets already_resolved', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, call } = await callClient(client);
    client.send({ type: 'stop_agent', run_id: runId });
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['tool_completed', 'agent_error']);
    expect(events.at(-1)).toMatchObject({ data: { code: 'cancelled' } });
    answer(client, runId, call.data.tool_call_id, { result: 'too late' });
    await errorReply(client, runId, 'already_resolved');
  });

  it('two tabs answering at once: the first answer wins, exactly once; the other tab gets already_resolved', async () => {
    const s = await server({ engine });
    const first = await tab(s, 'alice');
    const second = await tab(s, 'alice');
    const { runId, call } = await callClient(first);
    await eventOf(second, runId, 'tool_executing');
    answer(first, runId, call.data.tool_call_id, { result: 'from first' });
    answer(second, runId, call.data.tool_call_id, { result: 'from second' });
    await first.waitForRunEnd(runId);
    await waitUntil(() => errorsFor(first, runId).length + errorsFor(second, runId).length === 1, 'one already_resolved');
    const done = completions(runEvents(first, runId));
    expect(done).toHaveLength(1);
    const winner = done[0]!.data.result;
    expect(errorsFor(winner === 'from first' ? second : first, runId).map((e) => e.code)).toEqual(['already_resolved']);
    expect(answerText(runEvents(first, runId))).toBe(`result=${JSON.stringify(winner)}`);
  });

  it("another user's run, an unknown run, an unknown call or an approval's id: forbidden", async () => {
    const s = await server({ engine });
    const alice = await tab(s, 'alice');
    const mallory = await tab(s, 'mallory');
    const { runId, call } = await callClient(alice);
    answer(mallory, runId, call.data.tool_call_id, { result: 'evil' });
    await errorReply(mallory, runId, 'forbidden');
    answer(alice, 'run_nope', call.data.tool_call_id, { result: 1 });
    await errorReply(alice, 'run_nope', 'forbidden');
    answer(alice, runId, 'call_nope', { result: 1 });
    await errorReply(alice, runId, 'forbidden');
    alice.send({ type: 'approve_tool', run_id: runId, tool_call_id: call.data.tool_call_id, approved: true });
    await alice.waitFor(() => errorsFor(alice, runId).length === 2);
    expect(errorsFor(alice, runId).map((e) => e.code)).toEqual(['forbidden', 'forbidden']);
    answer(alice, runId, call.data.tool_call_id, { result: 'mine' });
    await alice.waitForRunEnd(runId);
    expect(answerText(runEvents(alice, runId))).toBe('result="mine"');
    expect(mallory.events()).toEqual([]);
  });

  it('the demo agent: "what time is it here?" calls local_time when offered and states the answer', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { run_id: runId } = accepted(await client.ask('What time is it here?', { agent: 'demo', client_tools: [LOCAL_TIME] }));
    const call = await eventOf(client, runId, 'tool_executing');
    expect(call.data).toMatchObject({ tool_name: 'local_time', executor: 'client' });
    answer(client, runId, call.data.tool_call_id, { result: { local: '2026-11-30 09:15', timezone: 'Europe/Paris' } });
    await client.waitForRunEnd(runId);
    expect(answerText(runEvents(client, runId))).toContain('2026-11-30 09:15 (Europe/Paris)');
  });

  it('the demo agent without local_time offered says it cannot know the local time, and calls nothing', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { run_id: runId } = accepted(await client.ask('What time is it here?', { agent: 'demo' }));
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expect(events.filter((e) => e.type === 'tool_executing')).toEqual([]);
    expect(answerText(events)).toMatch(/can't know your local time/);
  });
});

describe('client tools across two gateway processes sharing Redis', () => {
  let pair: TwoGateways;
  afterEach(async () => pair?.close());

  it('tabs on two processes answering at once: one tool_completed, the other gets already_resolved', async () => {
    pair = await startTwoGateways({ agents: [askingAgent] });
    const onA = await tab(pair.a, 'alice');
    const onB = await tab(pair.b, 'alice');
    const { runId, call } = await callClient(onA);
    await eventOf(onB, runId, 'tool_executing');
    answer(onB, runId, call.data.tool_call_id, { result: 'B' });
    answer(onA, runId, call.data.tool_call_id, { result: 'A' });
    await onA.waitForRunEnd(runId);
    await waitUntil(() => errorsFor(onA, runId).length + errorsFor(onB, runId).length === 1, 'one already_resolved');
    const done = completions(runEvents(onA, runId));
    expect(done).toHaveLength(1);
    expect(errorsFor(done[0]!.data.result === 'A' ? onB : onA, runId).map((e) => e.code)).toEqual(['already_resolved']);
  });
});
