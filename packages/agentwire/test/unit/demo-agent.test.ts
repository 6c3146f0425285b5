import { describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/agents/demo-agent.js';
import { MAX_DEMO_STEPS } from '../../src/agents/demo/plan.js';
import { builtinTools } from '../../src/agents/tools/builtin.js';
import { ToolRegistry } from '../../src/agents/tools/registry.js';
import type { AgentContext } from '../../src/agents/types.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { NoteStore } from '../../src/store/types.js';
import { createMemoryBus, type MemoryBus } from '../../src/bus/memory/memory-bus.js';
import { isAgentwireError } from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import { RunInteractions } from '../../src/interaction/run-interactions.js';
import { Notifier } from '../../src/notifier/notifier.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { toolContextFor } from './tool-context.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');

const defaultStore = createMemoryStore().notes;

interface RunSetup {
  bus?: MemoryBus;
  /** The notes the tools see (default: a store shared by this file's runs). */
  store?: NoteStore;
  userId?: string;
  signal?: AbortSignal;
  delayMs?: number;
  tools?: ToolRegistry;
  /** Called once the run has started, with the notifier the agent reports to. */
  onStarted?: (notifier: Notifier) => void;
}

/**
 * Plays the runner's part around the agent: `agent_started` before, `agent_completed`
 * after (which also proves the agent left no tool call open), then reads the run's
 * events back from the real memory bus.
 */
async function runDemo(text: string, setup: RunSetup = {}): Promise<StreamEvent[]> {
  const bus = setup.bus ?? createMemoryBus();
  const userId = setup.userId ?? 'alice';
  const signal = setup.signal ?? new AbortController().signal;
  const target = { userId, threadId: newId('thr'), runId: newId('run') };
  // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
  const notifier = new Notifier(bus.log, target);
  await notifier.started('demo');
  setup.onStarted?.(notifier);
  const context: AgentContext = {
    notifier,
    signal,
    tools: setup.tools ?? new ToolRegistry(builtinTools()),
    toolContext: toolContextFor(setup.store ?? defaultStore, userId, { now: NOW, signal }),
    interactions: new RunInteractions({
      pending: bus.pending,
      notifier,
      signal,
      pauseBudget: () => () => {},
      settings: { approvalTimeoutMs: 60_000, clientToolTimeoutMs: 60_000 },
    }),
    history: () => Promise.resolve([]),
  };
  await createDemoAgent({ delayMs: setup.delayMs ?? 0 }).run({ text, ...target, clientTools: [] }, context);
  await notifier.completed();
  expect(notifier.goldenPath()).toMatchObject({ complete: true });
  const { events } = await bus.log.readAfter(userId, 0);
  return events.map((e) => e.event).filter((e) => e.run_id === target.runId);
}

const types = (events: readonly StreamEvent[]): string[] => events.map((e) => e.type);
const ofType = <T extends StreamEvent['type']>(events: readonly StreamEvent[], type: T): Array<StreamEvent<T>> =>
  events.filter((e) => e.type === type) as Array<StreamEvent<T>>;
const answer = (events: readonly StreamEvent[]): string => {
  const [completed] = ofType(events, 'agent_completed');
  if (!completed) throw new Error('the run has no agent_completed');
  return completed.data.result.text;
};
const toolCalls = (events: readonly StreamEvent[]): Array<{ name: string; args: unknown }> =>
  ofType(events, 'tool_executing').map((e) => ({ name: e.data.tool_name, args: e.data.args }));

/** Every tool_executing has exactly one tool_completed, later, with the same id and name. */
function expectPairedToolCalls(events: readonly StreamEvent[]): void {
  for (const started of ofType(events, 'tool_executing')) {
    const completions = ofType(events, 'tool_completed').filter((c) => c.data.tool_call_id === started.data.tool_call_id);
    expect(completions).toHaveLength(1);
    expect(completions[0]?.data.tool_name).toBe(started.data.tool_name);
    expect(completions[0]?.seq).toBeGreaterThan(started.seq);
  }
}

describe('demo agent', () => {
  it('answers "What is 17 * 23?" with a calculator call, in golden-path order', async () => {
    const events = await runDemo('What is 17 * 23?');
    const deltas = ofType(events, 'agent_message_delta');
    expect(types(events)).toEqual([
      'agent_started',
      'agent_thinking',
      'tool_executing',
      'tool_completed',
      'agent_thinking',
      ...deltas.map(() => 'agent_message_delta'),
      'agent_completed',
    ]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(ofType(events, 'agent_thinking')[0]?.data.text).toBe("I'll compute 17 * 23 with the calculator.");
    expect(ofType(events, 'tool_executing')[0]?.data).toMatchObject({ tool_name: 'calculator', args: { expression: '17 * 23' } });
    expect(ofType(events, 'tool_completed')[0]?.data).toMatchObject({
      tool_name: 'calculator',
      result: { expression: '17 * 23', value: 391 },
    });
    expect(deltas.map((d) => d.data.delta).join('')).toBe(answer(events));
    expect(answer(events)).toBe('17 * 23 = 391.');
    expectPairedToolCalls(events);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
  });

  it('makes one calculator call per expression, in message order', async () => {
    const events = await runDemo('what is (2+3)*4 and 10/4');
    expect(toolCalls(events)).toEqual([
      { name: 'calculator', args: { expression: '(2+3)*4' } },
      { name: 'calculator', args: { expression: '10/4' } },
    ]);
    expect(answer(events)).toBe('(2+3)*4 = 20. 10/4 = 2.5.');
    expectPairedToolCalls(events);
  });

  it('tells the time in the zone asked for', async () => {
    const events = await runDemo('What time is it in Europe/Paris?');
    expect(toolCalls(events)).toEqual([{ name: 'clock', args: { timezone: 'Europe/Paris' } }]);
    expect(ofType(events, 'tool_completed')[0]?.data.result).toMatchObject({ timezone: 'Europe/Paris', utc_offset: '+01:00' });
    expect(answer(events)).toBe('In Europe/Paris it is Saturday, November 21, 2026 at 11:00:00 AM GMT+1.');
  });

  it('answers a time question that names no zone in UTC', async () => {
    const events = await runDemo('what time is it?');
    expect(toolCalls(events)).toEqual([{ name: 'clock', args: { timezone: 'UTC' } }]);
    expect(answer(events)).toBe('In UTC it is Saturday, November 21, 2026 at 10:00:00 AM UTC.');
  });

  it('does several things asked in one message, in order, in one run', async () => {
    const events = await runDemo('What is 17 * 23, what time is it in Asia/Tokyo, and remember that I like green tea.');
    expect(toolCalls(events)).toEqual([
      { name: 'calculator', args: { expression: '17 * 23' } },
      { name: 'clock', args: { timezone: 'Asia/Tokyo' } },
      { name: 'notes', args: { action: 'add', text: 'I like green tea' } },
    ]);
    expect(ofType(events, 'agent_thinking')[0]?.data.text).toBe(
      'I\'ll compute 17 * 23 with the calculator, then check the time in Asia/Tokyo with the clock, then save "I like green tea" in your notes.',
    );
    expect(answer(events)).toBe(
      '17 * 23 = 391. In Asia/Tokyo it is Saturday, November 21, 2026 at 7:00:00 PM GMT+9. Noted: "I like green tea".',
    );
    expectPairedToolCalls(events);
  });

  it("stores and finds a user's notes, and never another user's", async () => {
    const bus = createMemoryBus();
    const store = createMemoryStore().notes;
    await runDemo('Remember that the launch is on Friday.', { bus, store, userId: 'alice' });
    expect(await store.search('alice', 'launch')).toMatchObject([{ text: 'the launch is on Friday' }]);

    const alice = await runDemo('What did I note about the launch?', { bus, store, userId: 'alice' });
    expect(toolCalls(alice)).toEqual([{ name: 'notes', args: { action: 'search', query: 'launch' } }]);
    expect(answer(alice)).toBe('Your note about "launch": "the launch is on Friday".');

    const bob = await runDemo('What did I note about the launch?', { bus, store, userId: 'bob' });
    expect(answer(bob)).toBe('I found no notes about "launch".');
    expect((await bus.log.readAfter('bob', 0)).events.map((e) => JSON.stringify(e.event))).not.toContainEqual(
      expect.stringContaining('Friday'),
    );
  });

  it('says what went wrong when a tool fails, and still completes', async () => {
    const events = await runDemo('What is 5/0? And what time is it in Mars/Olympus?');
    const completed = ofType(events, 'tool_completed');
    expect(completed.map((c) => c.data.error)).toEqual([
      'tool arguments are invalid: division by zero',
      expect.stringContaining('unknown time zone "Mars/Olympus"'),
    ]);
    expect(answer(events)).toMatch(/^I couldn't compute 5\/0: division by zero\. I couldn't tell the time in Mars\/Olympus: unknown time zone "Mars\/Olympus"/);
    expectPairedToolCalls(events);
  });

  it('reports a missing tool instead of failing the run', async () => {
    const events = await runDemo('What is 17 * 23?', { tools: new ToolRegistry() });
    expect(ofType(events, 'tool_completed')[0]?.data.error).toMatch(/no tool registered under that name: calculator/);
    expect(answer(events)).toBe("I couldn't compute 17 * 23: no tool registered under that name: calculator.");
  });

  it('does not echo a huge expression back whole', async () => {
    const expression = Array.from({ length: 3000 }, () => '1').join('+');
    const events = await runDemo(`what is ${expression}?`);
    expect(ofType(events, 'tool_executing')[0]?.data.args).toEqual({ expression });
    expect(answer(events)).toMatch(/^I couldn't compute 1\+1\+.{100,}…: expression is longer than 500 characters\.$/);
    expect(answer(events).length).toBeLessThan(250);
    expect(ofType(events, 'agent_thinking')[0]?.data.text.length).toBeLessThan(200);
  });

  it('explains what it can do when the message asks for nothing it knows', async () => {
    const events = await runDemo('hello there');
    expect(types(events).slice(0, 2)).toEqual(['agent_started', 'agent_thinking']);
    expect(toolCalls(events)).toEqual([]);
    expect(ofType(events, 'agent_message_delta').length).toBeGreaterThan(1);
    expect(answer(events)).toMatch(/^Hi! I'm the agentwire demo agent\./);
    expect(answer(events)).toContain('What is 17 * 23?');
  });

  it(`does at most ${MAX_DEMO_STEPS} tool calls and says what it left undone`, async () => {
    const message = Array.from({ length: MAX_DEMO_STEPS + 2 }, (_, i) => `${i} + 1`).join(', ');
    const events = await runDemo(message);
    expect(toolCalls(events)).toHaveLength(MAX_DEMO_STEPS);
    expect(answer(events)).toContain(`${MAX_DEMO_STEPS - 1} + 1 = ${MAX_DEMO_STEPS}.`);
    expect(answer(events)).toMatch(/2 more requests in your message went undone/);
  });

  it('stops promptly with the abort reason when its signal fires mid-run', async () => {
    const bus = createMemoryBus();
    const controller = new AbortController();
    const reason = { code: 'cancelled', message: 'stopped by the user' };
    // Abort as soon as the agent has said what it will do; its next step waits a minute.
    const subscription = bus.log.subscribe('alice', ({ event }) => {
      if (event.type === 'agent_thinking') controller.abort(reason);
    });
    const run = runDemo('What is 17 * 23?', { bus, signal: controller.signal, delayMs: 60_000 });
    await expect(run).rejects.toBe(reason);
    subscription.close();
    const { events } = await bus.log.readAfter('alice', 0);
    expect(events.map((e) => e.event.type)).toEqual(['agent_started', 'agent_thinking']);
  });

  it('does nothing when its signal has already fired', async () => {
    const bus = createMemoryBus();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(runDemo('What is 17 * 23?', { bus, signal: controller.signal })).rejects.toBe(reason);
    expect((await bus.log.readAfter('alice', 0)).events.map((e) => e.event.type)).toEqual(['agent_started']);
  });

  it('is named demo and refuses a negative delay', () => {
    expect(createDemoAgent().name).toBe('demo');
    let error: unknown;
    try {
      createDemoAgent({ delayMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(isAgentwireError(error, 'AW_ERR_CONFIG')).toBe(true);
  });
});
