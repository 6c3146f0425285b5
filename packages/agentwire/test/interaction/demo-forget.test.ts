import { afterEach, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TestClient } from '../helpers/ws-client.js';
import { accepted, answerText, connectAs, eventOf, runEvents } from './support.js';

/**
 * The standalone demo agent (docs/protocol.md, "The standalone server's demo agent"):
 * "forget what I noted about ..." asks approval for `notes_forget` with `args` naming the
 * notes, deletes them only when approved, and says nothing was deleted otherwise.
 */
let server: TestServer | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function start(options: { approvalTimeoutMs?: number } = {}): Promise<TestClient> {
  server = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })], ...options });
  client = await connectAs(server, 'alice');
  return client;
}

async function say(ws: TestClient, text: string): Promise<StreamEvent[]> {
  const { run_id: runId } = accepted(await ws.ask(text));
  await ws.waitForRunEnd(runId);
  return runEvents(ws, runId);
}

/** Notes the launch, asks to forget it, answers the approval with `answer` (or not at all). */
async function forgetLaunch(ws: TestClient, answer: boolean | undefined): Promise<StreamEvent[]> {
  await say(ws, 'Remember that the launch is on Friday');
  await say(ws, 'Remember that lunch is at noon');
  const { run_id: runId } = accepted(await ws.ask('Forget what I noted about the launch'));
  const request = await eventOf(ws, runId, 'tool_approval_requested');
  expect(request.data.tool_name).toBe('notes_forget');
  expect(request.data.args).toMatchObject({ query: 'launch', notes: [{ id: expect.any(String), text: 'the launch is on Friday' }] });
  if (answer !== undefined) ws.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: answer });
  await ws.waitForRunEnd(runId, 15_000);
  return runEvents(ws, runId);
}

const recall = async (ws: TestClient, about: string) => answerText(await say(ws, `What did I note about ${about}?`));

describe('the demo agent forgetting notes', () => {
  it('approved: notes_forget runs with the approved call id and deletes only the named notes', async () => {
    const ws = await start();
    const events = await forgetLaunch(ws, true);
    const request = events.find((e) => e.type === 'tool_approval_requested') as StreamEvent<'tool_approval_requested'>;
    const executing = events.find((e) => e.type === 'tool_executing') as StreamEvent<'tool_executing'>;
    expect(executing.data).toMatchObject({ tool_name: 'notes_forget', tool_call_id: request.data.tool_call_id });
    expect(events.find((e) => e.type === 'tool_completed')).toMatchObject({ data: { result: { forgotten: 1 } } });
    expect(answerText(events)).toMatch(/Forgotten: 1 note about "launch"/);
    expect(await recall(ws, 'the launch')).toMatch(/no notes about "launch"/);
    expect(await recall(ws, 'lunch')).toContain('lunch is at noon');
  });

  it('denied: the tool does not run and the answer says nothing was deleted', async () => {
    const ws = await start();
    const events = await forgetLaunch(ws, false);
    expect(events.filter((e) => e.type === 'tool_executing')).toEqual([]);
    expect(answerText(events)).toMatch(/nothing was deleted/);
    expect(await recall(ws, 'the launch')).toContain('the launch is on Friday');
  });

  it('expired: the tool does not run and the answer says nothing was deleted', async () => {
    const ws = await start({ approvalTimeoutMs: 150 });
    const events = await forgetLaunch(ws, undefined);
    expect(events.find((e) => e.type === 'tool_approval_resolved')).toMatchObject({ data: { approved: false, resolution: 'expired' } });
    expect(events.filter((e) => e.type === 'tool_executing')).toEqual([]);
    expect(answerText(events)).toMatch(/nothing was deleted/);
    expect(await recall(ws, 'the launch')).toContain('the launch is on Friday');
  });

  it('nothing matching: no approval is asked and it says there was nothing to forget', async () => {
    const ws = await start();
    const events = await say(ws, 'Forget my notes about dragons');
    expect(events.filter((e) => e.type === 'tool_approval_requested')).toEqual([]);
    expect(answerText(events)).toMatch(/no notes about "dragons"/);
  });
});
