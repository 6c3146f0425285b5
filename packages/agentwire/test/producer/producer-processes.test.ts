import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testToken as token } from '../helpers/server.js';
import type { GatewayProcess } from '../helpers/gateway-processes.js';
import { startProcessCluster, type ProcessCluster } from '../redis/support/process-cluster.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { goldenPathProblems, seqProblems } from '../chaos/support/stream-checks.js';
import type { TestClient } from '../helpers/ws-client.js';
import { call, PRODUCER_KEY } from './producer-server.js';

// Real gateway processes from the compiled CLI: two on one Redis (the producer talks to one,
// the user's socket is on the other), and one standalone server for the Python example.

let cluster: ProcessCluster;
let a: GatewayProcess;
let b: GatewayProcess;
let standalone: GatewayProcess;

beforeAll(async () => {
  cluster = await startProcessCluster();
  const producer = { AGENTWIRE_PRODUCER_KEYS: PRODUCER_KEY };
  const clustered = { ...producer, ...cluster.env };
  [a, b, standalone] = await Promise.all([
    cluster.processes.start('A', clustered),
    cluster.processes.start('B', clustered),
    cluster.processes.start('standalone', { ...producer, AGENTWIRE_STORE: 'memory' }),
  ]);
}, 180_000);

afterAll(() => cluster?.dispose());

const connect = (gateway: GatewayProcess, userId: string): Promise<TestClient> => cluster.connect(gateway, userId);

const user = (tag: string): string => `producer-${tag}-${process.pid}-${Date.now()}`;
const runEvents = (client: TestClient, runId: string): StreamEvent[] => client.events().filter((e) => e.run_id === runId);

describe('two gateway processes on Redis: the producer talks to A, the user socket is on B', () => {
  it('B streams the run with its golden path, and history has the assistant message', async () => {
    const u = user('cluster');
    const onB = await connect(b, u);
    const started = await call(a.httpUrl, 'POST', '/producer/runs', { user_id: u, text: 'status of my order?' });
    expect(started.status).toBe(201);
    const { run_id: runId, thread_id: threadId } = started.body;
    const appended = await call(a.httpUrl, 'POST', `/producer/runs/${runId}/events`, {
      user_id: u,
      events: [
        { key: '1', type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'orders', args: { id: 7 } } },
        { key: '2', type: 'tool_completed', data: { tool_call_id: 'c1', result: { shipped: true } } },
        { key: '3', type: 'agent_message_delta', data: { delta: 'It has shipped.' } },
      ],
    });
    expect(appended.status).toBe(200);
    // The run is A's: B says so rather than appending out of order.
    const elsewhere = await call(b.httpUrl, 'POST', `/producer/runs/${runId}/events`, { user_id: u, events: [{ key: '4', type: 'agent_message_delta', data: { delta: 'x' } }] });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error.code).toBe('run_elsewhere');
    expect((await call(a.httpUrl, 'POST', `/producer/runs/${runId}/end`, { user_id: u, status: 'completed' })).status).toBe(200);
    const terminal = await onB.waitForRunEnd(runId);
    expect(terminal).toMatchObject({ type: 'agent_completed', data: { result: { text: 'It has shipped.' } } });
    const events = runEvents(onB, runId);
    expect(events.map((e) => e.type)).toEqual(['user_message', 'agent_started', 'tool_executing', 'tool_completed', 'agent_message_delta', 'agent_completed']);
    expect(goldenPathProblems(events)).toEqual([]);
    expect(seqProblems(onB.events(), 0)).toEqual([]);
    const history = await fetch(`${b.httpUrl}/threads/${threadId}/messages`, { headers: { authorization: `Bearer ${await token(u)}` } });
    const { messages } = (await history.json()) as { messages: Array<{ role: string; text: string; status?: string }> };
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'status of my order?'],
      ['assistant', 'It has shipped.'],
    ]);
  });

  it('a stop_agent sent on B reaches the producer polling A', async () => {
    const u = user('stop');
    const onB = await connect(b, u);
    const started = await call(a.httpUrl, 'POST', '/producer/runs', { user_id: u });
    const runId = started.body.run_id;
    await onB.waitFor((f) => f.type === 'agent_started');
    const poll = call(a.httpUrl, 'GET', `/producer/runs/${runId}/stop?user_id=${u}&wait_ms=30000`);
    onB.send({ type: 'stop_agent', run_id: runId });
    expect((await poll).body).toMatchObject({ stop_requested: true, reason: { code: 'cancelled' } });
    expect(await onB.waitForRunEnd(runId)).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
  });
});

const EXAMPLE = fileURLToPath(new URL('../../../../examples/python-producer/producer.py', import.meta.url));

function runPython(args: string[], url: string): { exited: Promise<number | null>; stdout: () => string } {
  const child = spawn('python3', [EXAMPLE, ...args], { env: { ...process.env, AGENTWIRE_URL: url, AGENTWIRE_PRODUCER_KEY: PRODUCER_KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { exited: new Promise((resolve) => child.on('exit', resolve)), stdout: () => out };
}

describe('the Python example (examples/python-producer) against the standalone server', () => {
  it("streams its run into the user's open socket with the golden path", async () => {
    const u = user('python');
    const socket = await connect(standalone, u);
    const python = runPython(['--user', u, '--question', 'Weather in Oslo?', '--delay', '0'], standalone.httpUrl);
    expect(await python.exited, python.stdout()).toBe(0);
    expect(python.stdout()).toContain('completed');
    const runId = /run (\S+)/.exec(python.stdout())![1]!;
    const terminal = await socket.waitForRunEnd(runId);
    expect(terminal).toMatchObject({ type: 'agent_completed', data: { result: { text: 'In Oslo it is 4 °C with light snow. ' } } });
    const events = runEvents(socket, runId);
    expect(events.slice(0, 5).map((e) => e.type)).toEqual(['user_message', 'agent_started', 'agent_thinking', 'tool_executing', 'tool_completed']);
    expect(events.find((e) => e.type === 'agent_started')).toMatchObject({ data: { agent_name: 'python-agent' } });
    expect(goldenPathProblems(events)).toEqual([]);
  }, 30_000);

  it('honours stop_agent: the script stops streaming and the run ends cancelled', async () => {
    const u = user('python-stop');
    const socket = await connect(standalone, u);
    const python = runPython(['--user', u, '--delay', '0.5'], standalone.httpUrl);
    const delta = await socket.waitFor((f) => f.type === 'agent_message_delta', 20_000);
    const runId = (delta as StreamEvent).run_id!;
    socket.send({ type: 'stop_agent', run_id: runId });
    expect(await socket.waitForRunEnd(runId)).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    expect(await python.exited, python.stdout()).toBe(0);
    expect(python.stdout()).toContain('stopped');
    const events = runEvents(socket, runId);
    // An agent-initiated run: no user message; nothing after the terminal event.
    expect(events[0]!.type).toBe('agent_started');
    expect(events.at(-1)!.type).toBe('agent_error');
    expect(goldenPathProblems(events)).toEqual([]);
  }, 30_000);
});
