import { afterEach, describe, expect, it } from 'vitest';
import { connect, type AgentwireClient } from '../../src/client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { answerOf, dropSockets, serverStream } from './helpers.js';
import { waitUntil } from '../helpers/wait.js';
import { seededRandom } from '../helpers/seeded-random.js';

let server: TestServer | undefined;
let client: AgentwireClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

const QUESTIONS = ['What is 17 * 23?', 'What is (2 + 3) ^ 2?', 'What is 100 / 8?', 'What is 7 % 4 + 1?', 'What is 12.5 * 4?'];

describe('client reconnect and resume', () => {
  for (const seed of [1, 7, 42]) {
    it(`delivers every event once and in order while sockets drop at random points (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      // Every delta its own event (no coalescing): the drop points need a long stream.
      server = await startTestServer({ demoDelayMs: 5, coalesceDeltasMs: 0 });
      const token = await server.token('alice');
      client = connect({ url: server.wsUrl, token, random, backoff: { initialMs: 4, maxMs: 40 } });
      const received: StreamEvent[] = [];
      client.on('event', (e) => received.push(e));
      await client.ready();

      // Drop points are seqs picked from the seed: when the client sees one, the server cuts every socket.
      const dropAt = new Set(Array.from({ length: 5 }, () => 2 + Math.floor(random() * 40)));
      let drops = 0;
      client.on('event', (e) => {
        if (dropAt.delete(e.seq)) drops += dropSockets(server!, 'alice') > 0 ? 1 : 0;
      });
      const runs = QUESTIONS.map((q) => client!.run(q));
      const results = await Promise.all(runs.map((r) => r.result));

      expect(dropAt.size).toBe(0);
      // Two drop points can land on one socket, so connections count at most one per drop.
      expect(client.stats.connections).toBeGreaterThanOrEqual(2);
      expect(client.stats.connections).toBeLessThanOrEqual(drops + 1);
      const truth = await serverStream(server, 'alice');
      expect(received.map((e) => e.seq)).toEqual(truth.map((e) => e.seq));
      expect(received.map((e) => e.seq)).toEqual(truth.map((_, i) => i + 1));
      for (const [i, result] of results.entries()) {
        expect(answerOf(received, result.runId)).toBe(result.text);
        expect(result.text).toContain(['391', '25', '12.5', '4', '50'][i]!);
      }
    });
  }

  it('drops a duplicated event and reports it', async () => {
    // Every delta its own event: two of them are replayed.
    server = await startTestServer({ coalesceDeltasMs: 0 });
    client = connect({ url: server.wsUrl, token: await server.token('dup') });
    const deltas: string[] = [];
    client.on('agent_message_delta', (e) => deltas.push(e.data.delta));
    await client.ready();
    const result = await client.run('What is 6 * 7?').result;
    const truth = await serverStream(server, 'dup');
    // Replay two already-delivered frames on the real server-side socket.
    const [connection] = server.gateway.scopeFor({ userId: 'dup' }).connections;
    const replayed = truth.filter((e) => e.type === 'agent_message_delta').slice(0, 2);
    for (const event of replayed) connection!.socket.send(JSON.stringify(event));
    await waitUntil(() => client!.stats.duplicatesDropped === 2, 'two duplicates dropped');
    expect(deltas.join('')).toBe(result.text);
    expect(client.stats.connections).toBe(1);
  });

  it('treats a seq gap as a broken connection and resumes without losing the skipped event', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: await server.token('gap'), backoff: { initialMs: 4 } });
    const received: StreamEvent[] = [];
    client.on('event', (e) => received.push(e));
    await client.ready();
    const accepted = await client.send('What is 1 + 1?');
    await waitUntil(() => received.some((e) => e.type === 'agent_completed' && e.run_id === accepted.run_id), 'run end');
    const before = received.length;
    // Forge a frame that skips a seq on the real server-side socket.
    const [connection] = server.gateway.scopeFor({ userId: 'gap' }).connections;
    const forged = { ...received.at(-1)!, seq: before + 2 };
    connection!.socket.send(JSON.stringify(forged));
    await waitUntil(() => client!.stats.gapsDetected === 1 && client!.stats.connections === 2, 'reconnect after gap');
    const second = await client.run('What is 2 + 2?').result;
    const truth = await serverStream(server, 'gap');
    expect(received.map((e) => e.seq)).toEqual(truth.map((e) => e.seq));
    expect(second.text).toContain('4');
  });

  it('surfaces resume_gap when the saved position belongs to another stream life', async () => {
    server = await startTestServer();
    const token = await server.token('lost');
    client = connect({ url: server.wsUrl, token, resumeFrom: { lastSeq: 3, epoch: 'an-old-epoch' } });
    const gaps: unknown[] = [];
    client.on('resume_gap', (g) => gaps.push(g));
    await client.ready();
    await waitUntil(() => gaps.length === 1, 'resume_gap');
    expect(gaps[0]).toMatchObject({ requested_after: 3 });
    // The client restarted from the new stream's head: the next run arrives whole.
    const result = await client.run('What is 3 * 3?').result;
    expect(result.text).toContain('9');
    expect(client.position?.epoch).not.toBe('an-old-epoch');
  });
});
