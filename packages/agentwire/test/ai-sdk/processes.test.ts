import { WebSocketChatTransport, type UIMessage } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayProcess } from '../helpers/gateway-processes.js';
import { startProcessCluster, type ProcessCluster } from '../redis/support/process-cluster.js';
import { testToken } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { agentwireIds, bearerWebSocket, expectMatchesStored, readRest, readSome, storedAnswer, uiMessageOf, userMessage } from './support.js';

/**
 * Two standalone gateway processes (A, B) sharing one Redis and one PostgreSQL, as
 * docs/deploy.md runs them: a chat sent through A is resumed and stopped through B.
 */
let cluster: ProcessCluster;
let a: GatewayProcess;
let b: GatewayProcess;

beforeAll(async () => {
  cluster = await startProcessCluster();
  // Slow demo steps keep the run in flight while the test resumes it and then stops it.
  const env = { ...cluster.env, AGENTWIRE_DEMO_DELAY_MS: '1500' };
  [a, b] = await Promise.all([cluster.processes.start('A', env), cluster.processes.start('B', env)]);
}, 180_000);

afterAll(() => cluster?.dispose());

async function transportOn(gateway: GatewayProcess, userId: string): Promise<WebSocketChatTransport<UIMessage>> {
  return new WebSocketChatTransport<UIMessage>({ url: `${gateway.httpUrl.replace(/^http/, 'ws')}/ai-sdk/ws`, webSocket: bearerWebSocket(await testToken(userId)) as never });
}


describe('the AI SDK transports across gateway processes', () => {
  it('a chat sent through A is replayed whole through B, stopped through B, and both streams equal the stored answer', async () => {
    const user = `ai-sdk-processes-${process.pid}-${Date.now()}`;
    const onA = await transportOn(a, user);
    const onB = await transportOn(b, user);
    try {
      const readerA = (await onA.sendMessages({ chatId: 'cross', messages: [userMessage('What is 17 * 23?')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined })).getReader();
      const first = await readSome(readerA, 2);
      const replay = await onB.reconnectToStream({ chatId: 'cross' });
      expect(replay).not.toBeNull();
      const readerB = replay!.getReader();
      const replayed = await readSome(readerB, 2);
      expect(replayed).toEqual(first);
      const { thread_id, run_id } = agentwireIds(await uiMessageOf(first));
      const stop = await fetch(`${b.httpUrl}/ai-sdk/chat/cross/stop`, { method: 'POST', headers: { authorization: `Bearer ${await testToken(user)}` } });
      expect(stop.status).toBe(204);
      const fromA = [...first, ...(await readRest(readerA))];
      const fromB = [...replayed, ...(await readRest(readerB))];
      expect(fromA.at(-1)).toMatchObject({ type: 'abort' });
      expect(fromB).toEqual(fromA);
      await eventually('the stored answer to be final', async () => {
        const stored = await storedAnswer({ httpUrl: b.httpUrl, token: testToken }, user, thread_id, run_id);
        return stored.status === 'cancelled';
      });
      await expectMatchesStored({ httpUrl: a.httpUrl, token: testToken }, user, await uiMessageOf(fromB));
    } finally {
      onA.close();
      onB.close();
    }
  }, 60_000);
});
