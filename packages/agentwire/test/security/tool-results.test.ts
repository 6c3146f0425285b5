import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import { MAX_TOOL_RESULT_BYTES } from '../../src/notifier/tool-result-cap.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/** Reports one tool call whose result size the message names: "big" is over the cap, "small" under. */
const reporting: Agent = {
  name: 'reporting',
  async run(input, { notifier }) {
    const executing = await notifier.toolExecuting('search', {});
    const size = input.text === 'big' ? MAX_TOOL_RESULT_BYTES + 1 : 100;
    await notifier.toolCompleted(executing.data.tool_call_id, { result: { matches: 'x'.repeat(size) } });
    await notifier.delta('done');
    await notifier.completed();
  },
};

describe('tool results are capped (issue 12, per-user bounds)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ agents: [reporting] });
  });
  afterAll(() => server.close());

  const toolCompleted = async (text: string): Promise<StreamEvent<'tool_completed'>> => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(`sec-tool-${text}`) });
    const accepted = (await client.ask(text)) as Reply<'message_accepted'>;
    await client.waitForRunEnd(accepted.data.run_id);
    const event = client.events().find((e) => e.type === 'tool_completed') as StreamEvent<'tool_completed'>;
    await client.close();
    return event;
  };

  it(`finding: a tool result over ${MAX_TOOL_RESULT_BYTES / 1024} KiB serialised is replaced by an error in tool_completed`, async () => {
    const event = await toolCompleted('big');
    expect(event.data.result).toBeUndefined();
    expect(event.data.error).toMatch(/^tool result too large: \d+ bytes serialised, limit 65536/);
    expect(JSON.stringify(event).length).toBeLessThan(1024);
  });

  it('finding: a tool result under the cap is delivered as it was', async () => {
    const event = await toolCompleted('small');
    expect(event.data.result).toEqual({ matches: 'x'.repeat(100) });
  });
});
