import { afterEach, expect, it } from 'vitest';
import { MemoryBus, type AppendedEvent } from '../../src/index.js';
import type { StreamEventDraft } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The real memory bus, except that the next `user_message` append fails (a store outage). */
function busFailingNextUserMessage(): MemoryBus {
  const bus = new MemoryBus();
  const append = bus.log.append.bind(bus.log);
  let failNext = true;
  bus.log.append = (userId: string, draft: StreamEventDraft): Promise<AppendedEvent> => {
    if (draft.type === 'user_message' && failNext) {
      failNext = false;
      return Promise.reject(new Error('store unreachable'));
    }
    return append(userId, draft);
  };
  return bus;
}

it('a message whose user_message could not be stored can be resent with the same client_msg_id and then runs', async () => {
  const bus = busFailingNextUserMessage();
  server = await startTestServer({ engine: { name: 'memory', create: async () => bus } });
  const client = await TestClient.connect(server.wsUrl, { token: await server.token('alice') });

  client.send({ type: 'user_message', client_msg_id: 'm-1', text: 'What is 2 * 21?' });
  const failure = await client.waitFor((f) => f.type === 'error' && f.data.client_msg_id === 'm-1');
  expect(failure.data).toMatchObject({ code: 'internal', client_msg_id: 'm-1' });
  expect(client.events()).toEqual([]);

  const [firstTry] = client.replies('message_accepted');
  client.send({ type: 'user_message', client_msg_id: 'm-1', text: 'What is 2 * 21?' });
  await client.waitFor(() => client.replies('message_accepted').length === 2);
  const runId = client.replies('message_accepted')[1]!.data.run_id;
  // A fresh run, not the ids of the attempt that never reached the stream.
  expect(runId).not.toBe(firstTry?.data.run_id);
  const end = await client.waitForRunEnd(runId);
  expect(end).toMatchObject({ type: 'agent_completed', data: { result: { text: expect.stringContaining('42') } } });
  await client.close();
});
