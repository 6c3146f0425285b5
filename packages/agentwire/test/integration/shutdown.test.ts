import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../../src/index.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { SUBPROTOCOL } from '../../src/protocol/types.js';
import { Gates, gatedAgent } from '../chaos/support/gated-agent.js';
import { goldenPathProblems } from '../chaos/support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines, type EngineFactory } from '../helpers/engines.js';
import { GatewayProcesses } from '../helpers/gateway-processes.js';
import { startTestServer, testToken } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';


function runIdOf(frame: unknown): string {
  const reply = frame as Reply;
  if (reply.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(reply)}`);
  return reply.data.run_id;
}

const terminalOf = (events: readonly StreamEvent[], runId: string) =>
  events.find((e) => e.run_id === runId && (e.type === 'agent_completed' || e.type === 'agent_error'));

/** An upgrade attempt's outcome: the HTTP status it was refused with, or the close code it got. */
function tryUpgrade(wsUrl: string, token: string): Promise<{ status?: number; close?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` } });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('close', (code) => resolve({ close: code }));
  });
}

describe.each(testEngines())('gateway.close() ($name engine)', (engine) => {
  it('stops accepting, lets runs within the drain period finish, ends the rest with shutdown, then closes every socket with 1001', async () => {
    const gates = new Gates();
    const server = await startTestServer({ engine, agents: [gatedAgent(gates)], shutdownDrainMs: 3000 });
    const alice = `shutdown-alice-${engine.name}-${process.pid}`;
    const bob = `shutdown-bob-${engine.name}-${process.pid}`;
    const aliceToken = await server.token(alice);
    const aliceTabs = await Promise.all([1, 2].map(() => TestClient.connect(server.wsUrl, { token: aliceToken })));
    const bobTab = await TestClient.connect(server.wsUrl, { token: await server.token(bob) });

    const finishing = runIdOf(await aliceTabs[0]!.ask('go'));
    const stuck = runIdOf(await aliceTabs[1]!.ask('go'));
    const bobStuck = runIdOf(await bobTab.ask('go'));
    // The stuck runs hold a tool call open when the drain ends: it must be completed first.
    gates.for(stuck).release(2);
    gates.for(bobStuck).release(2);
    await waitUntil(() => aliceTabs[0]!.events().some((e) => e.run_id === stuck && e.type === 'tool_executing'), 'the stuck run to open its tool call');

    const closing = server.gateway.close();
    expect(server.gateway.health().status).toBe('closing');
    expect(await tryUpgrade(server.wsUrl, aliceToken)).toEqual({ status: 503 });
    const refused = await aliceTabs[0]!.ask('one more');
    expect(refused).toMatchObject({ type: 'error', data: { code: 'unavailable' } });

    gates.for(finishing).release(100);
    await closing;

    for (const tab of [...aliceTabs, bobTab]) expect((await tab.closed).code).toBe(1001);
    for (const tab of aliceTabs) {
      expect(terminalOf(tab.events(), finishing)?.type).toBe('agent_completed');
      expect(terminalOf(tab.events(), stuck)).toMatchObject({ type: 'agent_error', data: { code: 'shutdown' } });
      expect(tab.events().find((e) => e.run_id === stuck && e.type === 'tool_completed')?.data).toMatchObject({ error: expect.stringContaining('shutdown') });
      expect(goldenPathProblems(tab.events())).toEqual([]);
    }
    expect(terminalOf(bobTab.events(), bobStuck)).toMatchObject({ type: 'agent_error', data: { code: 'shutdown' } });
    // Nothing was appended after the sockets closed: each tab saw its user's whole stream.
    expect(aliceTabs[0]!.events()).toEqual((await server.bus.log.readAfter(alice, 0)).events.map((a) => a.event));
    expect(bobTab.events()).toEqual((await server.bus.log.readAfter(bob, 0)).events.map((a) => a.event));
    expect(server.gateway.health()).toMatchObject({ connections: 0, runs_active: 0 });
    await server.close();
  });

  it('a message accepted while close() begins still gets its run and a terminal event', async () => {
    let holdClaims: (() => void) | undefined;
    let claimsWaiting = 0;
    const held: EngineFactory = {
      name: engine.name,
      async create(options) {
        const bus: Bus = await engine.create(options);
        const claim = bus.messages.claim.bind(bus.messages);
        const gate = new Promise<void>((resolve) => (holdClaims = resolve));
        bus.messages.claim = async (...args) => {
          claimsWaiting++;
          await gate;
          return claim(...args);
        };
        return bus;
      },
    };
    const gates = new Gates();
    const server = await startTestServer({ engine: held, agents: [gatedAgent(gates)], shutdownDrainMs: 0 });
    const userId = `shutdown-race-${engine.name}-${process.pid}`;
    const tab = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    tab.send({ type: 'user_message', client_msg_id: 'late', text: 'go' });
    await waitUntil(() => claimsWaiting === 1, 'the message to pass the accepting check');

    const closing = server.gateway.close();
    holdClaims!();
    await closing;
    expect((await tab.closed).code).toBe(1001);

    const stream = (await server.bus.log.readAfter(userId, 0)).events.map((a) => a.event);
    expect(stream.map((e) => e.type)).toEqual(['user_message', 'agent_started', 'agent_error']);
    expect(stream.at(-1)).toMatchObject({ type: 'agent_error', data: { code: 'shutdown' } });
    expect(server.gateway.health().runs_active).toBe(0);
    await server.close();
  });
});

/** The standalone CLI as a real process (see GatewayProcesses). */
describe('SIGTERM on the standalone server process', () => {
  let processes: GatewayProcesses;

  beforeAll(async () => {
    processes = await GatewayProcesses.build();
  }, 120_000);
  afterAll(() => processes?.dispose());

  it('a run past the drain period ends with agent_error shutdown, the socket closes with 1001, the process exits 0', async () => {
    // A demo step takes a minute, so the run is mid-way when the 300 ms drain ends.
    const cli = await processes.start('drain-over', { AGENTWIRE_DEMO_DELAY_MS: '60000', AGENTWIRE_SHUTDOWN_DRAIN_MS: '300' });
    const tab = await TestClient.connect(cli.wsUrl, { token: await testToken('sigterm-user') });
    const runId = runIdOf(await tab.ask('What is 17 * 23?'));
    await tab.waitFor((f) => 'seq' in f && f.type === 'agent_thinking');

    cli.child.kill('SIGTERM');
    const end = await tab.waitForRunEnd(runId);
    expect(end).toMatchObject({ type: 'agent_error', data: { code: 'shutdown' } });
    expect((await tab.closed).code).toBe(1001);
    expect(await cli.exited).toBe(0);
    expect(goldenPathProblems(tab.events())).toEqual([]);
  });

  it('a run that ends within the drain period completes normally before the socket closes with 1001', async () => {
    const cli = await processes.start('drain-within', { AGENTWIRE_DEMO_DELAY_MS: '100', AGENTWIRE_SHUTDOWN_DRAIN_MS: '30000' });
    const tab = await TestClient.connect(cli.wsUrl, { token: await testToken('sigterm-drain') });
    const runId = runIdOf(await tab.ask('What is 17 * 23?'));
    await tab.waitFor((f) => 'seq' in f && f.type === 'agent_thinking');

    cli.child.kill('SIGTERM');
    const end = await tab.waitForRunEnd(runId);
    expect(end).toMatchObject({ type: 'agent_completed', data: { result: { text: expect.stringContaining('391') } } });
    expect((await tab.closed).code).toBe(1001);
    expect(await cli.exited).toBe(0);
  });
});
