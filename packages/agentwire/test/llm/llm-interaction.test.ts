import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlmAgent } from '../../src/llm.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted, answerText, eventOf, runEvents } from '../interaction/support.js';
import { answer, callArgs, callStart, FakeOpenAi, finish } from './fake-openai.js';

/**
 * The LLM agent and protocol 1.2 (docs/protocol.md, "Approvals", "Client tools"): the
 * front end's `client_tools` are offered to the model and run by the front end; a registry
 * tool declared `needsApproval` waits for the user, and a denial is fed back to the model.
 */
let fake: FakeOpenAi;
let server: TestServer | undefined;
let client: TestClient | undefined;

beforeEach(async () => {
  fake = await FakeOpenAi.start();
  server = await startTestServer({ agents: [createLlmAgent({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model', maxRetries: 0 })] });
  client = await TestClient.connect(server.wsUrl, { token: await server.token('alice') });
});

afterEach(async () => {
  await client?.close();
  await server?.close();
  await fake.close();
  client = server = undefined;
});

const LOCAL_TIME = {
  name: 'local_time',
  description: "The user's local time and time zone, read in their browser",
  parameters: { type: 'object', properties: { format: { type: 'string' } } },
};

/** The model's turn that calls one tool. */
const calling = (name: string, args: string) => ({ kind: 'stream' as const, chunks: [callStart(0, 'call_m1', name), callArgs(0, args), finish('tool_calls')] });

describe('the LLM agent with client tools', () => {
  it('offers client_tools to the model, delegates the call to the front end, and answers with its result', async () => {
    const ws = client!;
    fake.reply(calling('local_time', '{"format":"24h"}'), answer('It is 09:15 in Paris.'));
    const { run_id: runId } = accepted(await ws.ask('What time is it here?', { client_tools: [LOCAL_TIME] }));
    const call = await eventOf(ws, runId, 'tool_executing');
    expect(call.data).toMatchObject({ tool_name: 'local_time', args: { format: '24h' }, executor: 'client' });
    ws.send({ type: 'tool_result', run_id: runId, tool_call_id: call.data.tool_call_id, result: { local: '09:15', timezone: 'Europe/Paris' } });
    await ws.waitForRunEnd(runId);
    expect(answerText(runEvents(ws, runId))).toBe('It is 09:15 in Paris.');

    const [first, second] = await fake.received(2);
    const offered = (first!.body.tools ?? []).map((t) => (t as { function: { name: string } }).function);
    expect(offered.find((f) => f.name === 'local_time')).toEqual({ name: 'local_time', description: LOCAL_TIME.description, parameters: LOCAL_TIME.parameters });
    // The server's own tools are still offered beside it.
    expect(offered.map((f) => f.name)).toContain('calculator');
    expect(second!.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_m1', content: '{"local":"09:15","timezone":"Europe/Paris"}' });
  });

  it('a message without client_tools offers none', async () => {
    fake.reply(answer('Hello.'));
    const { run_id: runId } = accepted(await client!.ask('Hi'));
    await client!.waitForRunEnd(runId);
    const [first] = await fake.received(1);
    expect((first!.body.tools ?? []).map((t) => (t as { function: { name: string } }).function.name)).not.toContain('local_time');
  });
});

describe('the LLM agent with a tool that needs approval', () => {
  it('denied: the tool does not run and the model is told so', async () => {
    const ws = client!;
    fake.reply(calling('notes_forget', '{"notes":[{"id":"n1"}]}'), answer('I left your notes alone.'));
    const { run_id: runId } = accepted(await ws.ask('Forget my notes about the launch'));
    const request = await eventOf(ws, runId, 'tool_approval_requested');
    expect(request.data).toMatchObject({ tool_name: 'notes_forget', args: { notes: [{ id: 'n1' }] } });
    ws.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: false });
    await ws.waitForRunEnd(runId);
    const events = runEvents(ws, runId);
    expect(events.filter((e) => e.type === 'tool_executing')).toEqual([]);
    expect(events.find((e) => e.type === 'tool_approval_resolved')).toMatchObject({ data: { approved: false, resolution: 'user' } });
    const requests = await fake.received(2);
    const fed = requests[1]!.body.messages.at(-1) as { role: string; content: string };
    expect(fed.role).toBe('tool');
    expect(JSON.parse(fed.content)).toEqual({ error: 'notes_forget did not run: the user denied it' });
  });

  it('approved: the tool runs under the approved call id and its result goes to the model', async () => {
    const ws = client!;
    fake.reply(calling('notes_forget', '{"notes":[{"id":"n_missing"}]}'), answer('Done.'));
    const { run_id: runId } = accepted(await ws.ask('Forget note n_missing'));
    const request = await eventOf(ws, runId, 'tool_approval_requested');
    ws.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: true });
    await ws.waitForRunEnd(runId);
    const events = runEvents(ws, runId);
    const done = events.find((e) => e.type === 'tool_completed') as StreamEvent<'tool_completed'>;
    expect(done.data).toMatchObject({ tool_call_id: request.data.tool_call_id, tool_name: 'notes_forget', result: { forgotten: 0 } });
    const requests = await fake.received(2);
    expect(requests[1]!.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_m1', content: '{"forgotten":0}' });
  });
});
