import { afterEach, describe, expect, it } from 'vitest';
import { userMessageId } from '../../src/history/compaction.js';
import { isTerminalType } from '../../src/protocol/terminal.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { MessageStore, Store } from '../../src/store/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A memory store whose message writes the test can watch or slow down. */
function watchedStore(hooks: Partial<Pick<MessageStore, 'addUser' | 'putAssistant'>>): { store: Store; base: Store } {
  const base = createMemoryStore();
  const m = base.messages;
  const messages: MessageStore = {
    addUser: hooks.addUser ?? ((s) => m.addUser(s)),
    putAssistant: hooks.putAssistant ?? ((s) => m.putAssistant(s)),
    mark: (id, mark) => m.mark(id, mark),
    get: (id) => m.get(id),
    page: (threadId, page) => m.page(threadId, page),
  };
  return { store: { ...base, engine: base.engine, threads: base.threads, notes: base.notes, messages, health: () => base.health(), deleteUser: (u) => base.deleteUser(u), close: () => base.close() }, base };
}

describe('the two doors between stream and store (docs/protocol.md, History rules)', () => {
  it('what the stream showed, history shows: the final message is written while its terminal event is not yet on the stream', async () => {
    const seen: Array<{ status: string; terminalOnStream: boolean }> = [];
    const { store, base } = watchedStore({
      putAssistant: async (stored) => {
        if (stored.message.status !== 'running') {
          const { events } = await server!.bus.log.readAfter(stored.userId, 0);
          seen.push({ status: stored.message.status, terminalOnStream: events.some((e) => e.event.run_id === stored.message.run_id && isTerminalType(e.event.type)) });
        }
        return base.messages.putAssistant(stored);
      },
    });
    server = await startTestServer({ store });
    const token = await server.token('quinn');
    const ws = await TestClient.connect(server.wsUrl, { token });
    const accepted = await ws.ask('What is 6 * 7?');
    if (accepted.type !== 'message_accepted') throw new Error(JSON.stringify(accepted));
    await ws.waitForRunEnd(accepted.data.run_id);
    expect(seen).toEqual([{ status: 'completed', terminalOnStream: false }]);
  });

  it('accepted means durable: when message_accepted arrives, the user message is already in the store, even when the store is slow', async () => {
    const { store, base } = watchedStore({
      addUser: async (stored) => {
        await new Promise((r) => setTimeout(r, 200));
        return base.messages.addUser(stored);
      },
    });
    server = await startTestServer({ store });
    const token = await server.token('rhea');
    const ws = await TestClient.connect(server.wsUrl, { token });
    ws.send({ type: 'user_message', client_msg_id: 'c-1', text: 'What is 1 + 1?' });
    const accepted = await ws.waitFor((f) => f.type === 'message_accepted');
    const runId = (accepted.data as { run_id: string }).run_id;
    // Asked the moment the acknowledgement arrives: a server that acknowledged first would not have it yet.
    expect((await base.messages.get(userMessageId(runId)))?.message).toMatchObject({ role: 'user', text: 'What is 1 + 1?', client_msg_id: 'c-1' });
    await ws.waitForRunEnd(runId);
  });
});
