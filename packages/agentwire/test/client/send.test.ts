import { afterEach, describe, expect, it } from 'vitest';
import { connect, type AgentwireClient, ServerRejectionError } from '../../src/client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { dropSockets, serverStream, waitForState } from './helpers.js';
import { seededRandom } from '../helpers/seeded-random.js';

let server: TestServer | undefined;
let client: AgentwireClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

describe('client send, stop and run', () => {
  it('resends the same client_msg_id across a reconnect: each message runs exactly once', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: await server.token('idem'), backoff: { initialMs: 2, maxMs: 10 } });
    await client.ready();
    const random = seededRandom(5);
    const accepted = [];
    for (let i = 0; i < 12; i++) {
      const sending = client.send(`What is ${i} + 1?`, { clientMsgId: `m-${i}` });
      // Cut the socket either in the same tick as the send or a moment later, so some frames
      // reach the server before the cut and some after; both must end in one run.
      if (random() < 0.5) dropSockets(server, 'idem');
      else setTimeout(() => dropSockets(server!, 'idem'), random() * 3);
      accepted.push(await sending);
      if (client.state !== 'connected') await waitForState(client, 'connected');
    }
    const stream = await serverStream(server, 'idem');
    const userMessages = stream.filter((e): e is StreamEvent<'user_message'> => e.type === 'user_message');
    expect(userMessages.map((e) => e.data.client_msg_id)).toEqual(accepted.map((a) => a.client_msg_id));
    expect(new Set(accepted.map((a) => a.run_id)).size).toBe(12);
    expect(client.stats.resends).toBeGreaterThan(0);
  });

  it('refuses with AW_ERR_CLIENT_QUEUE_FULL when the outbound queue is full, and delivers what it kept', async () => {
    server = await startTestServer();
    const token = await server.token('queue');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first ticket is held back, so the client stays disconnected while the app sends.
    client = connect({
      url: server.wsUrl,
      maxQueue: 2,
      getTicket: async () => {
        await gate;
        const res = await fetch(`${server!.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { ticket: string }).ticket;
      },
    });
    const first = client.send('What is 1 + 2?');
    const second = client.send('What is 3 + 4?');
    await expect(client.send('What is 5 + 6?')).rejects.toMatchObject({ code: 'AW_ERR_CLIENT_QUEUE_FULL' });
    expect(client.pendingCount).toBe(2);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.thread_id).not.toBe(b.thread_id);
    const texts = (await serverStream(server, 'queue')).filter((e) => e.type === 'user_message').map((e) => (e.data as { text: string }).text);
    expect(texts).toEqual(['What is 1 + 2?', 'What is 3 + 4?']);
  });

  it('run() iterates the run in order and resolves the final answer', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: await server.token('iter') });
    const run = client.run('What is 17 * 23?');
    const types: string[] = [];
    let deltas = '';
    for await (const event of run) {
      types.push(event.type);
      if (event.type === 'agent_message_delta') deltas += event.data.delta;
      if (event.type === 'tool_executing') expect(event.data.tool_name).toBe('calculator');
    }
    const result = await run.result;
    expect(types[0]).toBe('user_message');
    expect(types[1]).toBe('agent_started');
    expect(types).toContain('tool_completed');
    expect(types.at(-1)).toBe('agent_completed');
    expect(result.text).toContain('391');
    expect(deltas).toBe(result.text);
    expect(result.runId).toBe(await run.runId);
  });

  it('stop() ends a run with cancelled; result rejects with the run error', async () => {
    server = await startTestServer({ demoDelayMs: 200 });
    client = connect({ url: server.wsUrl, token: await server.token('stopper') });
    const run = client.run('What is 9 * 9?');
    await client.stop(await run.runId);
    await expect(run.result).rejects.toMatchObject({ code: 'AW_ERR_CLIENT_RUN_FAILED', runCode: 'cancelled' });
    const events = [];
    for await (const e of run) events.push(e.type);
    expect(events.at(-1)).toBe('agent_error');
    // Stopping an ended run is not an error.
    await client.stop(await run.runId);
  });

  it('rejects a message the server refuses, with its wire code', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: await server.token('refused') });
    const refusal = await client.send('hello', { threadId: 'thr_not_mine' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ServerRejectionError);
    expect((refusal as ServerRejectionError).wireCode).toBe('forbidden');
    await expect(client.stop('run_not_mine')).rejects.toMatchObject({ wireCode: 'forbidden' });
    expect(client.pendingCount).toBe(0);
  });

  it('close() rejects pending frames and open runs with AW_ERR_CLIENT_CLOSED', async () => {
    server = await startTestServer({ demoDelayMs: 200 });
    client = connect({ url: server.wsUrl, token: await server.token('closer') });
    const run = client.run('What is 4 * 4?');
    await run.runId;
    client.close();
    await expect(run.result).rejects.toMatchObject({ code: 'AW_ERR_CLIENT_CLOSED' });
    await expect(client.send('late')).rejects.toMatchObject({ code: 'AW_ERR_CLIENT_CLOSED' });
    expect(client.state).toBe('offline');
  });
});
