import { afterEach, describe, expect, it } from 'vitest';
import { connect, type AgentwireClient, ServerRejectionError } from '../../src/client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { askingAgent } from '../interaction/support.js';
import { createDemoAgent } from '../../src/index.js';

/**
 * The client SDK and protocol 1.2: typed handlers and `run()` carry the approval and client
 * tool events; `approveTool` resolves with the request's resolution whichever tab won; a
 * registered client tool runs in ONE tab (the sender's) and answers the agent.
 */
let server: TestServer | undefined;
const clients: AgentwireClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function open(userId: string, options: { graceMs?: number } = {}): Promise<AgentwireClient> {
  const client = connect({ url: server!.wsUrl, token: await server!.token(userId), clientTools: { graceMs: options.graceMs ?? 60_000 } });
  clients.push(client);
  await client.ready();
  return client;
}

const LOCAL_TIME = { name: 'local_time', description: "The user's local time", parameters: { type: 'object', properties: {} } };

describe('client SDK approvals', () => {
  it('run() carries tool_approval_requested; approveTool resolves with the resolution; a typed handler sees both', async () => {
    server = await startTestServer({ agents: [askingAgent] });
    const client = await open('sdk-approve');
    const seen: string[] = [];
    client.on('tool_approval_requested', (event) => seen.push(`requested:${event.data.tool_name}`));
    client.on('tool_approval_resolved', (event) => seen.push(`resolved:${event.data.approved}`));
    const run = client.run('ask');
    const types: string[] = [];
    for await (const event of run) {
      types.push(event.type);
      if (event.type === 'tool_approval_requested') {
        const resolved = await client.approveTool(event.run_id, event.data.tool_call_id, true, { reason: 'go' });
        expect(resolved.data).toMatchObject({ approved: true, resolution: 'user', reason: 'go' });
        // Answering again resolves with the same event at once: it never has a second effect.
        expect(await client.approveTool(event.run_id, event.data.tool_call_id, false)).toBe(resolved);
      }
    }
    expect(types).toEqual(['user_message', 'agent_started', 'tool_approval_requested', 'tool_approval_resolved', 'agent_message_delta', 'agent_completed']);
    expect((await run.result).text).toBe('approved=true resolution=user reason=go');
    expect(seen).toEqual(['requested:send_email', 'resolved:true']);
  });

  it('two tabs answering: both resolve with the one resolution; the losing tab learns which answer won', async () => {
    server = await startTestServer({ agents: [askingAgent] });
    const first = await open('sdk-two');
    const second = await open('sdk-two');
    const requested = new Promise<StreamEvent<'tool_approval_requested'>>((resolve) => second.on('tool_approval_requested', resolve));
    const run = first.run('ask');
    const request = await requested;
    const [a, b] = await Promise.all([
      first.approveTool(request.run_id, request.data.tool_call_id, true),
      second.approveTool(request.run_id, request.data.tool_call_id, false),
    ]);
    expect(a.seq).toBe(b.seq);
    expect((await run.result).text).toBe(`approved=${a.data.approved} resolution=user reason=`);
  });

  it('an answer to a request of a run that has ended rejects with already_resolved', async () => {
    server = await startTestServer({ agents: [askingAgent], approvalTimeoutMs: 100 });
    const client = await open('sdk-late');
    const run = client.run('ask');
    const events: StreamEvent[] = [];
    for await (const event of run) events.push(event);
    const request = events.find((e) => e.type === 'tool_approval_requested') as StreamEvent<'tool_approval_requested'>;
    // A second client of the user that never saw the run (a tab opened afterwards, live only).
    const late = await open('sdk-late');
    const refused = await late.approveTool(request.run_id, request.data.tool_call_id, true).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerRejectionError);
    expect((refused as ServerRejectionError).wireCode).toBe('already_resolved');
  });

  it("rejects with forbidden for a run that is not the user's", async () => {
    server = await startTestServer({ agents: [askingAgent] });
    const alice = await open('sdk-alice');
    const mallory = await open('sdk-mallory');
    const requested = new Promise<StreamEvent<'tool_approval_requested'>>((resolve) => alice.on('tool_approval_requested', resolve));
    const run = alice.run('ask');
    const request = await requested;
    const refused = await mallory.approveTool(request.run_id, request.data.tool_call_id, true).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerRejectionError);
    expect((refused as ServerRejectionError).wireCode).toBe('forbidden');
    await alice.approveTool(request.run_id, request.data.tool_call_id, false);
    await run.result;
  });
});

describe('client SDK client tools', () => {
  it('a registered tool is offered with the message, runs in the sending tab only, and the agent uses its result', async () => {
    server = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })] });
    const sender = await open('sdk-tools');
    const other = await open('sdk-tools');
    const ranIn: string[] = [];
    sender.registerClientTool(LOCAL_TIME, () => {
      ranIn.push('sender');
      return { local: '09:15', timezone: 'Europe/Paris' };
    });
    other.registerClientTool(LOCAL_TIME, () => {
      ranIn.push('other');
      return { local: 'wrong tab' };
    });
    const run = sender.run('What time is it here?');
    const types: string[] = [];
    for await (const event of run) {
      types.push(event.type);
      if (event.type === 'tool_executing') expect(event.data).toMatchObject({ tool_name: 'local_time', executor: 'client' });
    }
    expect(types).toContain('tool_completed');
    expect((await run.result).text).toContain('09:15 (Europe/Paris)');
    expect(ranIn).toEqual(['sender']);
  });

  it('when the sending tab is gone, another tab runs the tool after its grace period', async () => {
    server = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })] });
    const other = await open('sdk-grace', { graceMs: 50 });
    other.registerClientTool(LOCAL_TIME, () => 'noon');
    // The sender offers the tool but has no handler for it, like a tab closed right after sending.
    const sender = await open('sdk-grace');
    const completed = new Promise<StreamEvent<'agent_completed'>>((resolve) => other.on('agent_completed', resolve));
    await sender.send('What time is it here?', { clientTools: [LOCAL_TIME] });
    expect((await completed).data.result.text).toContain('Your local time is noon');
  });

  it('a handler that throws answers with its error', async () => {
    server = await startTestServer({ agents: [createDemoAgent({ delayMs: 0 })] });
    const client = await open('sdk-throw');
    client.registerClientTool(LOCAL_TIME, () => {
      throw new Error('no clock here');
    });
    const run = client.run('What time is it here?');
    const events: StreamEvent[] = [];
    for await (const event of run) events.push(event);
    expect(events.find((e) => e.type === 'tool_completed')).toMatchObject({ data: { error: 'no clock here' } });
    expect((await run.result).text).toContain("couldn't get your local time: no clock here");
  });
});
