import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/protocol/types.js';
import { eventually } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { call, scopedToken, startProducerServer, userToken, type ProducerTestServer } from './producer-server.js';

let server: ProducerTestServer;
beforeAll(async () => {
  server = await startProducerServer();
});
afterAll(() => server.close());

let users = 0;
const newUser = (): string => `producer-user-${++users}-${Math.random().toString(36).slice(2, 8)}`;

async function retained(userId: string): Promise<StreamEvent[]> {
  return (await server.bus.log.readAfter(userId, 0)).events.map((e) => e.event);
}

async function startRun(userId: string, extra: Record<string, unknown> = {}): Promise<{ run_id: string; thread_id: string }> {
  const started = await call(server.httpUrl, 'POST', '/producer/runs', { user_id: userId, agent_name: 'py-agent', ...extra });
  expect(started.status).toBe(201);
  return started.body;
}

const append = (runId: string, userId: string, events: unknown[], credential?: string) =>
  call(server.httpUrl, 'POST', `/producer/runs/${runId}/events`, { user_id: userId, events }, credential);

describe('producer API: the golden path over HTTP', () => {
  it('streams an agent-initiated run to the user socket and stores the assistant message alone', async () => {
    const userId = newUser();
    const socket = await TestClient.connect(server.wsUrl, { token: await userToken(userId) });
    const { run_id, thread_id } = await startRun(userId, { title: 'Nightly report' });
    const appended = await append(run_id, userId, [
      { key: 'k1', type: 'agent_thinking', data: { text: 'looking up' } },
      { key: 'k2', type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'lookup', args: { q: 'x' } } },
      { key: 'k3', type: 'tool_completed', data: { tool_call_id: 'c1', result: { found: 2 } } },
      { key: 'k4', type: 'agent_message_delta', data: { delta: 'Two ' } },
      { key: 'k5', type: 'agent_message_delta', data: { delta: 'found.' } },
    ]);
    expect(appended.status).toBe(200);
    expect(appended.body.appended.map((a) => a.key)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    const ended = await call(server.httpUrl, 'POST', `/producer/runs/${run_id}/end`, { user_id: userId, status: 'completed' });
    expect(ended.status).toBe(200);
    const terminal = await socket.waitForRunEnd(run_id);
    expect(terminal.type).toBe('agent_completed');
    const types = socket.events().filter((e) => e.run_id === run_id).map((e) => e.type);
    expect(types).toEqual(['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect((terminal as StreamEvent<'agent_completed'>).data.result).toEqual({ text: 'Two found.' });
    const started = socket.events().find((e) => e.type === 'agent_started' && e.run_id === run_id) as StreamEvent<'agent_started'>;
    expect(started.data.agent_name).toBe('py-agent');
    const history = await fetch(`${server.httpUrl}/threads/${thread_id}/messages`, { headers: { authorization: `Bearer ${await userToken(userId)}` } });
    const { messages } = (await history.json()) as { messages: Array<{ role: string; text?: string; status?: string }> };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ role: 'assistant', text: 'Two found.', status: 'completed' });
    await socket.close();
  });

  it('records the user message when the run answers one, and a repeated client_msg_id starts nothing', async () => {
    const userId = newUser();
    const first = await call(server.httpUrl, 'POST', '/producer/runs', { user_id: userId, client_msg_id: 'job-1', text: 'summarise' });
    const again = await call(server.httpUrl, 'POST', '/producer/runs', { user_id: userId, client_msg_id: 'job-1', text: 'summarise' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, fresh: false });
    await eventually('agent_started', async () => (await retained(userId)).some((e) => e.type === 'agent_started'));
    expect((await retained(userId)).map((e) => e.type)).toEqual(['user_message', 'agent_started']);
    await call(server.httpUrl, 'POST', `/producer/runs/${first.body.run_id}/end`, { user_id: userId, status: 'completed' });
  });

  it('accepts a JWT with the producer scope', async () => {
    const credential = await scopedToken('billing-service', 'read agentwire:producer');
    const answer = await call(server.httpUrl, 'POST', '/producer/runs', { user_id: newUser() }, credential);
    expect(answer.status).toBe(201);
  });
});

describe('producer API: misuse is refused and appends nothing', () => {
  it('an event after the terminal event: 409 naming the rule', async () => {
    const userId = newUser();
    const { run_id } = await startRun(userId);
    expect((await call(server.httpUrl, 'POST', `/producer/runs/${run_id}/end`, { user_id: userId, status: 'error', message: 'broke' })).status).toBe(200);
    const before = await retained(userId);
    const late = await append(run_id, userId, [{ key: 'late', type: 'agent_message_delta', data: { delta: 'x' } }]);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'golden_path', rule: 'AW_ERR_NOTIFIER_ENDED' });
    expect(await retained(userId)).toEqual(before);
  });

  it('a tool result for an unknown call: 409 naming the rule; the events before it stay appended once', async () => {
    const userId = newUser();
    const { run_id } = await startRun(userId);
    await eventually('agent_started', async () => (await retained(userId)).length === 1);
    const answer = await append(run_id, userId, [
      { key: 'a', type: 'agent_thinking', data: { text: 'ok' } },
      { key: 'b', type: 'tool_completed', data: { tool_call_id: 'never-opened', result: 1 } },
      { key: 'c', type: 'agent_message_delta', data: { delta: 'not appended' } },
    ]);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'golden_path', rule: 'AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL' });
    expect(answer.body.appended.map((a) => a.key)).toEqual(['a']);
    expect((await retained(userId)).map((e) => e.type)).toEqual(['agent_started', 'agent_thinking']);
  });

  it('a run of another user: 404, nothing appended to either user', async () => {
    const owner = newUser();
    const other = newUser();
    const { run_id } = await startRun(owner);
    await eventually('agent_started', async () => (await retained(owner)).length === 1);
    const answer = await append(run_id, other, [{ key: 'x', type: 'agent_message_delta', data: { delta: 'leak' } }]);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
    expect(await retained(other)).toEqual([]);
    expect((await retained(owner)).map((e) => e.type)).toEqual(['agent_started']);
  });

  it('a wrong credential: 401; a user token: 403 not_a_producer; a malformed body: 400 naming the field', async () => {
    const userId = newUser();
    const { run_id } = await startRun(userId);
    await eventually('agent_started', async () => (await retained(userId)).length === 1);
    const event = [{ key: 'x', type: 'agent_message_delta', data: { delta: 'x' } }];
    const wrong = await append(run_id, userId, event, 'not-the-key-0123456789abcdef0123456789');
    expect(wrong.status).toBe(401);
    const asUser = await append(run_id, userId, event, await userToken(userId));
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe('not_a_producer');
    const startAsUser = await call(server.httpUrl, 'POST', '/producer/runs', { user_id: userId }, await userToken(userId));
    expect(startAsUser.status).toBe(403);
    const malformed = await append(run_id, userId, [{ key: 'x', type: 'tool_executing', data: { tool_name: 'no id' } }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('tool_call_id');
    const noKey = await append(run_id, userId, [{ type: 'agent_message_delta', data: { delta: 'x' } }]);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toContain('key');
    expect((await retained(userId)).map((e) => e.type)).toEqual(['agent_started']);
  });
});

describe('producer API: idempotency keys', () => {
  it('a retried append with the same key appends once, also when the retries race', async () => {
    const userId = newUser();
    const { run_id } = await startRun(userId);
    const event = { key: 'same', type: 'agent_message_delta', data: { delta: 'once' } };
    const first = await append(run_id, userId, [event]);
    const retry = await append(run_id, userId, [event]);
    expect(retry.body.appended).toEqual(first.body.appended);
    const racing = { key: 'race', type: 'agent_message_delta', data: { delta: 'raced' } };
    const answers = await Promise.all([1, 2, 3, 4].map(() => append(run_id, userId, [racing])));
    expect(new Set(answers.map((a) => a.body.appended[0]?.seq)).size).toBe(1);
    const deltas = (await retained(userId)).filter((e) => e.type === 'agent_message_delta');
    expect(deltas.map((e) => (e as StreamEvent<'agent_message_delta'>).data.delta)).toEqual(['once', 'raced']);
    const end = { user_id: userId, status: 'completed' };
    expect((await call(server.httpUrl, 'POST', `/producer/runs/${run_id}/end`, end)).status).toBe(200);
    expect((await call(server.httpUrl, 'POST', `/producer/runs/${run_id}/end`, end)).status).toBe(200);
    expect((await retained(userId)).filter((e) => e.type === 'agent_completed')).toHaveLength(1);
  });
});

describe('producer API: stop and silence', () => {
  it('stop_agent reaches the producer: the long-poll says so, and the next append is refused with run_stopped', async () => {
    const userId = newUser();
    const socket = await TestClient.connect(server.wsUrl, { token: await userToken(userId) });
    const { run_id } = await startRun(userId);
    await append(run_id, userId, [{ key: '1', type: 'tool_executing', data: { tool_call_id: 'slow', tool_name: 'crawl', args: {} } }]);
    const poll = call(server.httpUrl, 'GET', `/producer/runs/${run_id}/stop?user_id=${userId}&wait_ms=30000`);
    socket.send({ type: 'stop_agent', run_id });
    const polled = await poll;
    expect(polled.body).toMatchObject({ stop_requested: true, reason: { code: 'cancelled' } });
    const terminal = (await socket.waitForRunEnd(run_id)) as StreamEvent<'agent_error'>;
    expect(terminal.data.code).toBe('cancelled');
    const next = await append(run_id, userId, [{ key: '2', type: 'agent_message_delta', data: { delta: 'too late' } }]);
    expect(next.status).toBe(409);
    expect(next.body).toMatchObject({ stop_requested: true, error: { code: 'run_stopped' } });
    expect(socket.events().filter((e) => e.type === 'agent_message_delta')).toEqual([]);
    await socket.close();
  });

  it('a producer silent past its limit: the run ends with agent_error timeout', async () => {
    const quick = await startProducerServer({ silenceMs: 150 });
    try {
      const userId = newUser();
      const socket = await TestClient.connect(quick.wsUrl, { token: await userToken(userId) });
      const started = await call(quick.httpUrl, 'POST', '/producer/runs', { user_id: userId });
      const runId = started.body.run_id;
      await call(quick.httpUrl, 'POST', `/producer/runs/${runId}/events`, {
        user_id: userId,
        events: [{ key: '1', type: 'tool_executing', data: { tool_call_id: 'c', tool_name: 'hang', args: {} } }],
      });
      const terminal = (await socket.waitForRunEnd(runId)) as StreamEvent<'agent_error'>;
      expect(terminal.type).toBe('agent_error');
      expect(terminal.data.code).toBe('timeout');
      // The open tool call got its pair before the terminal event.
      const types = socket.events().filter((e) => e.run_id === runId).map((e) => e.type);
      expect(types).toEqual(['agent_started', 'tool_executing', 'tool_completed', 'agent_error']);
      const late = await call(quick.httpUrl, 'POST', `/producer/runs/${runId}/events`, {
        user_id: userId,
        events: [{ key: '2', type: 'agent_message_delta', data: { delta: 'back' } }],
      });
      expect(late.body).toMatchObject({ stop_requested: true, reason: { code: 'timeout' } });
      await socket.close();
    } finally {
      await quick.close();
    }
  });
});
