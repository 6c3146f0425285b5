import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { accepted, expectGapFree, expectGoldenPath, isStreamEvent, ofType } from './support/stream-checks.js';

const HEARTBEAT_MS = 30_000;

let users = 0;
const freshUser = (): string => `golden-${process.pid}-${++users}`;

describe.each(testEngines())('golden path of the demo agent ($name engine)', (engine) => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ engine, heartbeatMs: HEARTBEAT_MS });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  /** Connects a fresh user, asks `text`, and returns everything once the run has ended. */
  async function ask(text: string) {
    const userId = freshUser();
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    clients.push(client);
    const clientMsgId = `m-${userId}`;
    const ids = accepted(await client.ask(text, {}, clientMsgId));
    await client.waitForRunEnd(ids.run_id);
    const stream = client.events();
    expectGapFree(stream, 1);
    expect(stream[0]).toMatchObject({ type: 'user_message', run_id: ids.run_id, thread_id: ids.thread_id, data: { text, client_msg_id: clientMsgId } });
    const run = expectGoldenPath(stream, ids.run_id, ids.thread_id);
    expect(run[0]).toMatchObject({ type: 'agent_started', data: { agent_name: 'demo' } });
    expect(run.at(-1)!.type).toBe('agent_completed');
    return { userId, client, clientMsgId, ids, stream, run };
  }

  const types = (events: readonly StreamEvent[]): string[] => events.map((e) => e.type);
  /** The run's types with repeated thinking/delta collapsed, so the test pins order, not chunking. */
  const shape = (events: readonly StreamEvent[]): string[] =>
    types(events).filter((t, i, all) => !(t === 'agent_message_delta' && all[i - 1] === t));

  it('connection_established is the first frame, with exactly the fields of docs/protocol.md', async () => {
    const userId = freshUser();
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    clients.push(client);
    const first = client.frames[0]!;
    expect(first.type).toBe('connection_established');
    expect(Object.keys(first).sort()).toEqual(['data', 'type']);
    const data = client.established;
    expect(Object.keys(data).sort()).toEqual(['connection_id', 'epoch', 'heartbeat_ms', 'last_seq', 'protocol', 'resumed', 'user_id']);
    expect(data).toMatchObject({ user_id: userId, protocol: 1, last_seq: 0, resumed: false, heartbeat_ms: HEARTBEAT_MS });
    expect(typeof data.connection_id === 'string' && data.connection_id.length > 0).toBe(true);
    expect(typeof data.epoch === 'string' && data.epoch.length > 0).toBe(true);
  });

  it('answers message_accepted (exact fields) before the user_message event', async () => {
    const { client, clientMsgId, ids } = await ask('What is 1 + 1?');
    const acceptedAt = client.frames.findIndex((f) => f.type === 'message_accepted');
    const userMessageAt = client.frames.findIndex((f) => isStreamEvent(f) && f.type === 'user_message');
    expect(acceptedAt).toBeGreaterThan(0);
    expect(userMessageAt).toBeGreaterThan(acceptedAt);
    const reply = client.frames[acceptedAt]!;
    expect(Object.keys(reply).sort()).toEqual(['data', 'type']);
    expect(Object.keys(ids).sort()).toEqual(['client_msg_id', 'run_id', 'thread_id']);
    expect(ids.client_msg_id).toBe(clientMsgId);
  });

  it('a math question: one calculator call, and the answer states 17 * 23 = 391', async () => {
    const { run } = await ask('What is 17 * 23?');
    expect(shape(run)).toEqual([
      'agent_started',
      'agent_thinking',
      'tool_executing',
      'tool_completed',
      'agent_thinking',
      'agent_message_delta',
      'agent_completed',
    ]);
    const [executing] = ofType(run, 'tool_executing');
    const [completed] = ofType(run, 'tool_completed');
    expect(executing!.data).toMatchObject({ tool_name: 'calculator', args: { expression: '17 * 23' } });
    expect(completed!.data).toMatchObject({ tool_call_id: executing!.data.tool_call_id, tool_name: 'calculator', result: { value: 391 } });
    expect(completed!.seq).toBeGreaterThan(executing!.seq);
    const answer = ofType(run, 'agent_completed')[0]!.data.result.text;
    expect(answer).toContain('17 * 23 = 391');
  });

  it('a clock question: one clock call for Asia/Tokyo, and the answer states its result', async () => {
    const { run } = await ask('What time is it in Asia/Tokyo?');
    expect(shape(run)).toEqual([
      'agent_started',
      'agent_thinking',
      'tool_executing',
      'tool_completed',
      'agent_thinking',
      'agent_message_delta',
      'agent_completed',
    ]);
    const [executing] = ofType(run, 'tool_executing');
    const [completed] = ofType(run, 'tool_completed');
    expect(executing!.data).toMatchObject({ tool_name: 'clock', args: { timezone: 'Asia/Tokyo' } });
    const result = (completed!.data as { result: { timezone: string; local: string; utc_offset: string; iso: string } }).result;
    expect(completed!.data.tool_call_id).toBe(executing!.data.tool_call_id);
    expect(result).toMatchObject({ timezone: 'Asia/Tokyo', utc_offset: '+09:00' });
    expect(Math.abs(Date.parse(result.iso) - Date.now())).toBeLessThan(60_000);
    const answer = ofType(run, 'agent_completed')[0]!.data.result.text;
    expect(answer).toContain(`In Asia/Tokyo it is ${result.local}`);
  });

  it('a two-tool question: calculator then clock in one run, both results in the answer', async () => {
    const { run } = await ask('What is (2 + 3) * 4, and what time is it in Europe/Paris?');
    const calls = ofType(run, 'tool_executing');
    expect(calls.map((c) => c.data.tool_name)).toEqual(['calculator', 'clock']);
    expect(calls[0]!.data.args).toEqual({ expression: '(2 + 3) * 4' });
    expect(calls[1]!.data.args).toEqual({ timezone: 'Europe/Paris' });
    const completions = ofType(run, 'tool_completed');
    expect(completions.map((c) => c.data.tool_call_id)).toEqual(calls.map((c) => c.data.tool_call_id));
    expect(new Set(calls.map((c) => c.data.tool_call_id)).size).toBe(2);
    expect(completions[0]!.data).toMatchObject({ result: { value: 20 } });
    const clock = (completions[1]!.data as { result: { local: string } }).result;
    const answer = ofType(run, 'agent_completed')[0]!.data.result.text;
    expect(answer).toContain('(2 + 3) * 4 = 20');
    expect(answer).toContain(`In Europe/Paris it is ${clock.local}`);
    // The thinking comes before acting: the plan precedes the first tool call.
    expect(run.findIndex((e) => e.type === 'agent_thinking')).toBeLessThan(run.findIndex((e) => e.type === 'tool_executing'));
  });

  it('a second run on the same thread continues the same gap-free stream', async () => {
    const { client, ids } = await ask('What is 6 * 7?');
    const second = accepted(await client.ask('What is 6 * 8?', { thread_id: ids.thread_id }));
    expect(second.thread_id).toBe(ids.thread_id);
    expect(second.run_id).not.toBe(ids.run_id);
    await client.waitForRunEnd(second.run_id);
    expectGapFree(client.events(), 1);
    const run = expectGoldenPath(client.events(), second.run_id, ids.thread_id);
    expect(ofType(run, 'agent_completed')[0]!.data.result.text).toContain('6 * 8 = 48');
  });
});
