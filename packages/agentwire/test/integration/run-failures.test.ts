import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import { AgentwireError, isAgentwireError, type ErrorCode } from '../../src/errors.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted, expectGoldenPath, isTerminal, ofType } from './support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';

const RUN_TIMEOUT_MS = 300;

let users = 0;
const freshUser = (): string => `fail-${process.pid}-${++users}`;

/** Never settles, and ignores its abort signal: only the runner's timeout can end the run. */
const forever = (): Promise<never> => new Promise<never>(() => {});

/** Agents that misbehave on purpose, and what their misuse of the notifier threw. */
function misbehavingAgents(caught: Map<string, unknown[]>) {
  const record = (agent: string, error: unknown) => caught.set(agent, [...(caught.get(agent) ?? []), error]);
  const agents: Agent[] = [
    {
      name: 'thrower',
      async run(_input, { notifier }) {
        await notifier.thinking('about to fail');
        await notifier.toolExecuting('calculator', { expression: '1 + 1' }, 'call_left_open');
        throw new Error('the model provider is down');
      },
    },
    {
      name: 'throws-at-once',
      run() {
        return Promise.reject(new TypeError('cannot read properties of undefined'));
      },
    },
    {
      name: 'hangs',
      async run(_input, { notifier }) {
        await notifier.toolExecuting('clock', { timezone: 'UTC' }, 'call_hanging');
        await forever();
      },
    },
    {
      name: 'ends-twice',
      async run(_input, { notifier }) {
        await notifier.delta('done');
        await notifier.completed();
        for (const misuse of [() => notifier.completed(), () => notifier.failed('failed', 'again'), () => notifier.thinking('late')]) {
          try {
            await misuse();
          } catch (error) {
            record('ends-twice', error);
          }
        }
      },
    },
    {
      name: 'unknown-tool-call',
      async run(_input, { notifier }) {
        try {
          await notifier.toolCompleted('call_never_started', { result: 1 });
        } catch (error) {
          record('unknown-tool-call', error);
          throw error;
        }
      },
    },
    {
      name: 'duplicate-tool-call',
      async run(_input, { notifier }) {
        await notifier.toolExecuting('clock', {}, 'call_dup');
        await notifier.toolCompleted('call_dup', { result: 'ok' });
        try {
          await notifier.toolExecuting('clock', {}, 'call_dup');
        } catch (error) {
          record('duplicate-tool-call', error);
        }
        await notifier.delta('still fine');
      },
    },
  ];
  return agents;
}

describe.each(testEngines())('runs that fail ($name engine)', (engine) => {
  let server: TestServer;
  let client: TestClient;
  const caught = new Map<string, unknown[]>();

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: misbehavingAgents(caught), runTimeoutMs: RUN_TIMEOUT_MS });
    client = await TestClient.connect(server.wsUrl, { token: await server.token(freshUser()) });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function run(agent: string): Promise<{ events: StreamEvent[]; terminal: StreamEvent }> {
    const ids = accepted(await client.ask(`run ${agent}`, { agent }));
    await client.waitForRunEnd(ids.run_id);
    // A ping round trip: nothing of this run can still be on its way.
    client.send({ type: 'ping', client_ts: ids.run_id });
    await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === ids.run_id);
    const events = expectGoldenPath(client.events(), ids.run_id, ids.thread_id);
    expect(events[0]).toMatchObject({ type: 'agent_started', data: { agent_name: agent } });
    return { events, terminal: events.at(-1)! };
  }

  const codesCaught = (agent: string): ErrorCode[] =>
    (caught.get(agent) ?? []).map((e) => {
      expect(e).toBeInstanceOf(AgentwireError);
      return (e as AgentwireError).code;
    });

  it('an agent that throws → agent_error failed; its open tool call is completed with an error first', async () => {
    const { events, terminal } = await run('thrower');
    expect(terminal.type).toBe('agent_error');
    const error = terminal as StreamEvent<'agent_error'>;
    expect(error.data.code).toBe('failed');
    expect(error.data.message).toContain('the model provider is down');
    const [completed] = ofType(events, 'tool_completed');
    expect(completed!.data).toMatchObject({ tool_call_id: 'call_left_open', tool_name: 'calculator' });
    expect(typeof (completed!.data as { error?: unknown }).error).toBe('string');
    expect(completed!.data).not.toHaveProperty('result');
    expect(completed!.seq).toBe(terminal.seq - 1);
  });

  it('an agent that rejects at once → agent_started, then agent_error failed', async () => {
    const { events, terminal } = await run('throws-at-once');
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
    expect((terminal as StreamEvent<'agent_error'>).data).toMatchObject({ code: 'failed' });
  });

  it(`an agent that never ends → agent_error timeout after runTimeoutMs (${RUN_TIMEOUT_MS} ms)`, async () => {
    const { events, terminal } = await run('hangs');
    expect(terminal.type).toBe('agent_error');
    expect((terminal as StreamEvent<'agent_error'>).data.code).toBe('timeout');
    const [completed] = ofType(events, 'tool_completed');
    expect(completed!.data).toMatchObject({ tool_call_id: 'call_hanging', tool_name: 'clock' });
    expect((completed!.data as { error?: string }).error).toContain('timeout');
    const health = (await (await fetch(`${server.httpUrl}/health/websocket`)).json()) as { runs_active: number };
    expect(health.runs_active).toBe(0);
  });

  it('a second terminal event (or any event after it) throws AW_ERR_NOTIFIER_ENDED; the run keeps one terminal', async () => {
    const { events, terminal } = await run('ends-twice');
    expect(terminal.type).toBe('agent_completed');
    expect((terminal as StreamEvent<'agent_completed'>).data.result.text).toBe('done');
    expect(events.filter(isTerminal)).toHaveLength(1);
    expect(codesCaught('ends-twice')).toEqual(['AW_ERR_NOTIFIER_ENDED', 'AW_ERR_NOTIFIER_ENDED', 'AW_ERR_NOTIFIER_ENDED']);
    expect(ofType(events, 'agent_thinking')).toEqual([]);
  });

  it('tool_completed for an unknown tool_call_id throws AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL; the run ends failed', async () => {
    const { events, terminal } = await run('unknown-tool-call');
    expect(codesCaught('unknown-tool-call')).toEqual(['AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL']);
    expect(ofType(events, 'tool_completed')).toEqual([]);
    expect(terminal.type).toBe('agent_error');
    expect((terminal as StreamEvent<'agent_error'>).data.code).toBe('failed');
  });

  it('a reused tool_call_id throws AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL and appends nothing', async () => {
    const { events, terminal } = await run('duplicate-tool-call');
    expect(codesCaught('duplicate-tool-call')).toEqual(['AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL']);
    expect(ofType(events, 'tool_executing')).toHaveLength(1);
    expect(terminal.type).toBe('agent_completed');
    expect(isAgentwireError(caught.get('duplicate-tool-call')![0], 'AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL')).toBe(true);
  });

  it('the gateway counted every outcome, and stayed healthy', async () => {
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^agentwire_runs_ended_total\{outcome="timeout"\} 1$/m);
    expect(metrics).toMatch(/^agentwire_runs_ended_total\{outcome="failed"\} 3$/m);
    expect(metrics).toMatch(/^agentwire_runs_ended_total\{outcome="completed"\} 2$/m);
  });
});

describe.each(testEngines())('the in-flight run limit ($name engine)', (engine) => {
  const LIMIT = 2;
  let server: TestServer;
  let client: TestClient;
  const gates: Array<() => void> = [];

  /** Holds each run open until the test lets it go. */
  const gated: Agent = {
    name: 'gated',
    async run(_input, { notifier, signal }) {
      await notifier.thinking('waiting for the test');
      await new Promise<void>((resolve) => {
        gates.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await notifier.delta('released');
    },
  };

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [gated], limits: { maxRunsInFlightPerUser: LIMIT } });
    client = await TestClient.connect(server.wsUrl, { token: await server.token(freshUser()) });
  });
  afterEach(() => gates.splice(0).forEach((open) => open()));
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it(`past ${LIMIT} runs in flight → error too_many_runs; the same client_msg_id works once a run ended`, async () => {
    const held = [accepted(await client.ask('one')), accepted(await client.ask('two'))];
    const refused = await client.ask('three', {}, 'third');
    expect(refused).toEqual({ type: 'error', data: { code: 'too_many_runs', message: expect.any(String), client_msg_id: 'third' } });
    // Another user has a limit of their own.
    const other = await TestClient.connect(server.wsUrl, { token: await server.token(freshUser()) });
    const theirs = accepted(await other.ask('mine'));

    await waitUntil(() => gates.length === LIMIT + 1, 'three runs to wait at their gates');
    gates.splice(0).forEach((open) => open());
    await Promise.all(held.map((ids) => client.waitForRunEnd(ids.run_id)));
    await other.waitForRunEnd(theirs.run_id);
    await other.close();

    // The refused message was not remembered: retrying it starts its run now.
    client.send({ type: 'user_message', client_msg_id: 'third', text: 'three' });
    const retried = accepted(
      await client.waitFor((f) => f.type === 'message_accepted' && f.data.client_msg_id === 'third'),
    );
    await waitUntil(() => gates.length === 1, 'the retried run to wait at its gate');
    gates.splice(0).forEach((open) => open());
    const terminal = await client.waitForRunEnd(retried.run_id);
    expect(terminal.type).toBe('agent_completed');
    expect(ofType(client.events(), 'user_message').map((e) => e.data.client_msg_id)).toHaveLength(3);
  });
});
