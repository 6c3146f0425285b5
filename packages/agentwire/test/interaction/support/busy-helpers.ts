import { expect } from 'vitest';
import type { ServerFrame, StreamEvent } from '../../../src/protocol/types.js';
import type { ThreadMessage } from '../../../src/store/types.js';
import type { Api } from '../../history/support/http.js';
import type { TestClient } from '../../helpers/ws-client.js';
import { isTerminal } from '../../integration/support/stream-checks.js';

/** A ping round trip: every event appended before it is on this socket afterwards. */
export async function settle(client: TestClient, tag = `s-${Math.random().toString(36).slice(2)}`): Promise<void> {
  client.send({ type: 'ping', client_ts: tag });
  await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag);
}

export function runEvent(client: TestClient, runId: string, type: StreamEvent['type']): StreamEvent | undefined {
  return client.events().find((e) => e.run_id === runId && e.type === type);
}

export async function waitForEvent(client: TestClient, runId: string, type: StreamEvent['type'], timeoutMs = 10_000): Promise<StreamEvent> {
  return (await client.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === type, timeoutMs)) as StreamEvent;
}

/**
 * docs/protocol.md, "Busy threads": runs of one thread never overlap. On the stream, each
 * run's terminal event comes before the next run's `agent_started`, in the given order.
 */
export function expectSequential(events: readonly StreamEvent[], runIds: readonly string[]): void {
  const spans = runIds.map((runId) => {
    const started = events.find((e) => e.run_id === runId && e.type === 'agent_started');
    const ended = events.find((e) => e.run_id === runId && isTerminal(e));
    expect(started, `agent_started of ${runId}`).toBeDefined();
    expect(ended, `terminal event of ${runId}`).toBeDefined();
    return { runId, start: started!.seq, end: ended!.seq };
  });
  for (let i = 1; i < spans.length; i++) {
    expect(spans[i]!.start, `${spans[i]!.runId} starts after ${spans[i - 1]!.runId} ended`).toBeGreaterThan(spans[i - 1]!.end);
  }
}

/** The thread's history messages of one run. */
export async function historyOf(api: Api, threadId: string, runId: string): Promise<ThreadMessage[]> {
  const answer = await api.get<{ messages: ThreadMessage[] }>(`/threads/${threadId}/messages`);
  expect(answer.status).toBe(200);
  return answer.body.messages.filter((m) => m.run_id === runId);
}

/** Like `TestClient.ask`, but only frames received after sending count (the id was answered before). */
export async function askAgain(client: TestClient, text: string, extra: Record<string, unknown>, clientMsgId: string): Promise<ServerFrame> {
  const from = client.frames.length;
  client.send({ type: 'user_message', client_msg_id: clientMsgId, text, ...extra });
  return client.waitFor(
    (f) => client.frames.indexOf(f) >= from && (f.type === 'message_accepted' || f.type === 'error') && f.data.client_msg_id === clientMsgId,
  );
}
