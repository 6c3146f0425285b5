import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TestClient } from '../helpers/ws-client.js';
import { accepted, askingAgent, connectAs, eventOf } from './support.js';

/**
 * Bad input for protocol 1.2's frames (docs/protocol.md, "Errors for bad input"): each gets
 * `invalid_message` naming the field, the connection stays, and a pending request is
 * untouched (it is then answered normally).
 */
let server: TestServer;
let client: TestClient;

beforeAll(async () => {
  server = await startTestServer({ agents: [askingAgent] });
  client = await connectAs(server, 'alice');
});
afterAll(async () => {
  await client.close();
  await server.close();
});

/** Sends a frame and resolves with the `invalid_message` it earns. */
async function refused(frame: Record<string, unknown>): Promise<string> {
  const before = client.replies('error').length;
  client.send(frame);
  await client.waitFor(() => client.replies('error').length > before);
  const reply = client.replies('error').at(-1)!.data;
  expect(reply.code).toBe('invalid_message');
  return reply.message;
}

const tool = { name: 'local_time', description: 'now', parameters: { type: 'object' } };

describe('approve_tool with bad fields', () => {
  it.each([
    [{ tool_call_id: 'c', approved: true }, /run_id/],
    [{ run_id: 'r', approved: true }, /tool_call_id/],
    [{ run_id: 'r', tool_call_id: 'c' }, /approved/],
    [{ run_id: 'r', tool_call_id: 'c', approved: 'yes' }, /approved must be a boolean/],
    [{ run_id: 7, tool_call_id: 'c', approved: true }, /run_id must be a string/],
    [{ run_id: 'r', tool_call_id: '', approved: true }, /tool_call_id must not be empty/],
    [{ run_id: 'r', tool_call_id: 'c'.repeat(129), approved: true }, /tool_call_id must be at most 128/],
    [{ run_id: 'r', tool_call_id: 'c', approved: true, reason: 5 }, /reason must be a string/],
    [{ run_id: 'r', tool_call_id: 'c', approved: true, reason: 'x'.repeat(1001) }, /reason must be at most 1000/],
  ])('%j is refused naming the field', async (fields, message) => {
    expect(await refused({ type: 'approve_tool', ...fields })).toMatch(message);
  });
});

describe('tool_result with bad fields', () => {
  it.each([
    [{ tool_call_id: 'c', result: 1 }, /run_id/],
    [{ run_id: 'r', result: 1 }, /tool_call_id/],
    [{ run_id: 'r', tool_call_id: 'c' }, /exactly one of result or error/],
    [{ run_id: 'r', tool_call_id: 'c', result: 1, error: 'x' }, /exactly one of result or error/],
    [{ run_id: 'r', tool_call_id: 'c', error: 42 }, /error must be a string/],
  ])('%j is refused naming the field', async (fields, message) => {
    expect(await refused({ type: 'tool_result', ...fields })).toMatch(message);
  });
});

describe('user_message.client_tools with bad fields', () => {
  it.each([
    ['not a list', { client_tools: 'local_time' }, /client_tools must be an array/],
    ['a tool without a name', { client_tools: [{ description: 'x', parameters: {} }] }, /client_tools\.0\.name/],
    ['a bad name', { client_tools: [{ ...tool, name: 'local time!' }] }, /name must match/],
    ['parameters not an object', { client_tools: [{ ...tool, parameters: 'any' }] }, /parameters must be a JSON Schema object/],
    ['a description not a string', { client_tools: [{ ...tool, description: 3 }] }, /description must be a string/],
    ['too many tools', { client_tools: Array.from({ length: 17 }, (_, i) => ({ ...tool, name: `t${i}` })) }, /at most 16 tools/],
    ['the same name twice', { client_tools: [tool, tool] }, /names must be unique/],
    ['huge parameters', { client_tools: [{ ...tool, parameters: { type: 'object', description: 'x'.repeat(9000) } }] }, /at most 8192 bytes/],
  ])('%s is refused naming the field, and starts no run', async (_what, fields, message) => {
    const before = client.events().length;
    expect(await refused({ type: 'user_message', client_msg_id: `bad-${Math.random()}`, text: 'hi', ...fields })).toMatch(message);
    expect(client.events().length).toBe(before);
  });
});

it('after all that, a pending request is still answered normally on the same connection', async () => {
  const { run_id: runId } = accepted(await client.ask('ask', { agent: 'asker' }));
  const request = await eventOf(client, runId, 'tool_approval_requested');
  client.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: 'true' });
  client.send({ type: 'approve_tool', run_id: runId, tool_call_id: request.data.tool_call_id, approved: true });
  await client.waitForRunEnd(runId);
  expect(client.events().filter((e) => e.run_id === runId && e.type === 'tool_approval_resolved')).toHaveLength(1);
});
