import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { AssistantMessage } from '../../src/store/types.js';
import { testEngines } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import type { TestClient } from '../helpers/ws-client.js';
import { expectEventShape } from '../integration/support/stream-checks.js';
import {
  accepted,
  answerText,
  askingAgent,
  interactionFixtures,
  errorReply,
  errorsFor,
  eventOf,
  getJson,
  runEvents,
  startTwoGateways,
  type TwoGateways,
} from './support.js';

/**
 * docs/protocol.md, "Approvals" (protocol 1.2): a run asks, waits, and resumes on the first
 * answer from any tab on any process; every request is resolved exactly once, before the
 * run's terminal event; later answers get `already_resolved`.
 */
const { server, tab } = interactionFixtures();

/** Sends "ask" to the asking agent and resolves once its request is on the stream. */
async function ask(client: TestClient): Promise<{ runId: string; threadId: string; request: StreamEvent<'tool_approval_requested'> }> {
  const { run_id: runId, thread_id: threadId } = accepted(await client.ask('ask to send an email', { agent: 'asker' }));
  return { runId, threadId, request: await eventOf(client, runId, 'tool_approval_requested') };
}

const approve = (client: TestClient, runId: string, toolCallId: string, approved = true, extra: Record<string, unknown> = {}) =>
  client.send({ type: 'approve_tool', run_id: runId, tool_call_id: toolCallId, approved, ...extra });

const resolutions = (events: readonly StreamEvent[]) => events.filter((e): e is StreamEvent<'tool_approval_resolved'> => e.type === 'tool_approval_resolved');

/** The golden path with approvals: exactly one resolution per request, before the terminal event. */
function expectResolvedOnce(events: readonly StreamEvent[]): void {
  for (const event of events) expectEventShape(event);
  const requested = events.filter((e) => e.type === 'tool_approval_requested').map((e) => (e as StreamEvent<'tool_approval_requested'>).data.tool_call_id);
  const resolved = resolutions(events).map((e) => e.data.tool_call_id);
  expect(resolved.sort()).toEqual(requested.sort());
  const terminal = events.findIndex((e) => e.type === 'agent_completed' || e.type === 'agent_error');
  expect(terminal).toBe(events.length - 1);
}

describe.each(testEngines())('approvals on the $name engine', (engine) => {
  it('approve: the request carries the tool, args, reason and expiry; the answer resumes the run', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, request } = await ask(client);
    expect(request.data).toMatchObject({ tool_name: 'send_email', args: { to: 'bob@example.com' }, reason: 'to tell Bob' });
    expect(Date.parse(request.data.expires_at)).toBeGreaterThan(Date.parse(request.ts));
    approve(client, runId, request.data.tool_call_id, true, { reason: 'fine' });
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expectResolvedOnce(events);
    expect(resolutions(events)[0]!.data).toEqual({ tool_call_id: request.data.tool_call_id, approved: true, reason: 'fine', resolution: 'user' });
    expect(answerText(events)).toBe('approved=true resolution=user reason=fine');
    expect(errorsFor(client, runId)).toEqual([]);
  });

  it('deny: the run is told so', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, request } = await ask(client);
    approve(client, runId, request.data.tool_call_id, false);
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expectResolvedOnce(events);
    expect(resolutions(events)[0]!.data).toMatchObject({ approved: false, resolution: 'user' });
    expect(answerText(events)).toBe('approved=false resolution=user reason=');
  });

  it('expire: no answer within the approval timeout resolves it `expired`; a late answer gets already_resolved', async () => {
    const s = await server({ engine, approvalTimeoutMs: 150 });
    const client = await tab(s, 'alice');
    const { runId, request } = await ask(client);
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expectResolvedOnce(events);
    expect(resolutions(events)[0]!.data).toMatchObject({ approved: false, resolution: 'expired' });
    approve(client, runId, request.data.tool_call_id, true);
    expect(await errorReply(client, runId, 'already_resolved')).toMatchObject({ message: expect.stringContaining('tool_call_id') });
    expect(resolutions(runEvents(client, runId))).toHaveLength(1);
  });

  it("waiting for an answer does not eat the run's timeout: an approval outliving the run timeout still resolves", async () => {
    // Without the pause the run would end `timeout` at 200 ms, before the request expires at 600 ms.
    const s = await server({ engine, runTimeoutMs: 200, approvalTimeoutMs: 600 });
    const client = await tab(s, 'alice');
    const { runId } = await ask(client);
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expectResolvedOnce(events);
    expect(resolutions(events)[0]!.data).toMatchObject({ resolution: 'expired' });
    expect(events.at(-1)!.type).toBe('agent_completed');
  });

  it('stop while pending: the request resolves `cancelled` before agent_error cancelled; answering then gets already_resolved', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, request } = await ask(client);
    client.send({ type: 'stop_agent', run_id: runId });
    await client.waitForRunEnd(runId);
    const events = runEvents(client, runId);
    expectResolvedOnce(events);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['tool_approval_resolved', 'agent_error']);
    expect(resolutions(events)[0]!.data).toMatchObject({ approved: false, resolution: 'cancelled' });
    expect(events.at(-1)).toMatchObject({ data: { code: 'cancelled' } });
    approve(client, runId, request.data.tool_call_id, true);
    await errorReply(client, runId, 'already_resolved');
  });

  it('two tabs answering at once: exactly one effect, the other tab gets already_resolved', async () => {
    const s = await server({ engine });
    const first = await tab(s, 'alice');
    const second = await tab(s, 'alice');
    const { runId, request } = await ask(first);
    await eventOf(second, runId, 'tool_approval_requested');
    approve(first, runId, request.data.tool_call_id, true);
    approve(second, runId, request.data.tool_call_id, false);
    await first.waitForRunEnd(runId);
    await second.waitForRunEnd(runId);
    await waitUntil(() => errorsFor(first, runId).length + errorsFor(second, runId).length === 1, 'one already_resolved');
    expect([...errorsFor(first, runId), ...errorsFor(second, runId)].map((e) => e.code)).toEqual(['already_resolved']);
    const events = runEvents(first, runId);
    expectResolvedOnce(events);
    const winner = resolutions(events)[0]!.data.approved;
    expect(answerText(events)).toBe(`approved=${winner} resolution=user reason=`);
    // The tab whose answer lost is the one told so.
    expect(errorsFor(winner ? second : first, runId)).toHaveLength(1);
    expect(runEvents(second, runId).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('an answer resent after a reconnect gets already_resolved, never a second effect', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, request } = await ask(client);
    approve(client, runId, request.data.tool_call_id, true);
    await client.waitForRunEnd(runId);
    const lastSeq = client.events().at(-1)!.seq;
    await client.close();
    const again = await tab(s, 'alice', { last_seq: lastSeq, epoch: client.established.epoch });
    approve(again, runId, request.data.tool_call_id, true);
    await errorReply(again, runId, 'already_resolved');
    expect(again.events()).toEqual([]);
  });

  it('reload while pending: history shows the approval pending; answering then works and history shows it approved', async () => {
    const s = await server({ engine });
    const client = await tab(s, 'alice');
    const { runId, threadId, request } = await ask(client);
    const part = { type: 'approval', tool_call_id: request.data.tool_call_id, tool_name: 'send_email', args: { to: 'bob@example.com' } };
    const before = await getJson<{ messages: AssistantMessage[] }>(s, 'alice', `/threads/${threadId}/messages`);
    const running = before.body.messages.find((m) => m.role === 'assistant')!;
    expect(running.status).toBe('running');
    expect(running.parts).toEqual([{ ...part, status: 'pending' }]);
    await client.close();

    const reloaded = await tab(s, 'alice');
    approve(reloaded, runId, request.data.tool_call_id, true);
    await reloaded.waitForRunEnd(runId);
    const after = await getJson<{ messages: AssistantMessage[] }>(s, 'alice', `/threads/${threadId}/messages`);
    const done = after.body.messages.find((m) => m.role === 'assistant')!;
    expect(done.status).toBe('completed');
    expect(done.parts[0]).toEqual({ ...part, status: 'approved' });
  });

  it("another user's run, an unknown run or an unknown request: forbidden, and the request stays pending", async () => {
    const s = await server({ engine, approvalTimeoutMs: 60_000 });
    const alice = await tab(s, 'alice');
    const mallory = await tab(s, 'mallory');
    const { runId, request } = await ask(alice);
    approve(mallory, runId, request.data.tool_call_id, true);
    expect(await errorReply(mallory, runId, 'forbidden')).toMatchObject({ message: expect.stringContaining('tool_call_id') });
    approve(alice, 'run_unknown', request.data.tool_call_id, true);
    await errorReply(alice, 'run_unknown', 'forbidden');
    approve(alice, runId, 'call_unknown', true);
    await errorReply(alice, runId, 'forbidden');
    // A client tool answer is not an approval: the kinds do not mix.
    alice.send({ type: 'tool_result', run_id: runId, tool_call_id: request.data.tool_call_id, result: 'yes' });
    expect(errorsFor(alice, runId).filter((e) => e.code === 'forbidden')).toHaveLength(1);
    await eventuallyErrors(alice, runId, 2);
    expect(mallory.events()).toEqual([]);
    // Still pending: alice's own answer is the one that resolves it.
    approve(alice, runId, request.data.tool_call_id, false);
    await alice.waitForRunEnd(runId);
    expect(resolutions(runEvents(alice, runId)).map((e) => e.data)).toEqual([
      { tool_call_id: request.data.tool_call_id, approved: false, resolution: 'user' },
    ]);
  });
});

async function eventuallyErrors(client: TestClient, runId: string, count: number): Promise<void> {
  await client.waitFor(() => errorsFor(client, runId).length >= count);
}

describe('approvals across two gateway processes sharing Redis', () => {
  let pair: TwoGateways;
  afterEach(async () => pair?.close());

  it('tabs on two processes answering at once: exactly one resolution, the other gets already_resolved', async () => {
    pair = await startTwoGateways({ agents: [askingAgent] });
    const onA = await tab(pair.a, 'alice');
    const onB = await tab(pair.b, 'alice');
    const { runId, request } = await ask(onA);
    await eventOf(onB, runId, 'tool_approval_requested');
    approve(onB, runId, request.data.tool_call_id, false);
    approve(onA, runId, request.data.tool_call_id, true);
    await onA.waitForRunEnd(runId);
    await onB.waitForRunEnd(runId);
    await waitUntil(() => errorsFor(onA, runId).length + errorsFor(onB, runId).length === 1, 'one already_resolved');
    const events = runEvents(onA, runId);
    expectResolvedOnce(events);
    const winner = resolutions(events)[0]!.data.approved;
    expect(errorsFor(winner ? onB : onA, runId).map((e) => e.code)).toEqual(['already_resolved']);
    expect(answerText(events)).toBe(`approved=${winner} resolution=user reason=`);
  });

  it('an answer given on the other process resumes the run where it executes', async () => {
    pair = await startTwoGateways({ agents: [askingAgent] });
    const onA = await tab(pair.a, 'alice');
    const onB = await tab(pair.b, 'alice');
    const { runId, request } = await ask(onA);
    await eventOf(onB, runId, 'tool_approval_requested');
    approve(onB, runId, request.data.tool_call_id, true);
    await onA.waitForRunEnd(runId);
    expect(answerText(runEvents(onA, runId))).toBe('approved=true resolution=user reason=');
    expect(errorsFor(onB, runId)).toEqual([]);
  });
});
