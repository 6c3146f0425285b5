import { afterEach, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { RawChatSocket } from './raw-socket.js';
import { expectMatchesStored, startAiSdkServer, uiMessageOf, userMessage, type AiSdkServer } from './support.js';

let server: AiSdkServer | undefined;
const sockets: RawChatSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server?.close();
  server = undefined;
});

describe.each(testEngines().map((engine) => [engine.name, engine] as const))('AI SDK resume after retention (%s engine)', (_name, engine) => {
  it('replays a run whose first events retention dropped from the stored message, then follows it; a lastSequence it cannot serve is an error', async () => {
    // Three events retained: the run's user_message and first steps are gone by the gate.
    server = await startAiSdkServer(engine, { retention: { maxEvents: 3 } });
    const gate = server.gate('old');
    const socket = await RawChatSocket.open(server.aiSdkWsUrl, await server.token('alice'));
    sockets.push(socket);
    socket.send({ type: 'send', requestId: 'live', id: 'chat-old', trigger: 'submit-message', messageId: undefined, messages: [userMessage('gate:old')], headers: {}, body: { agent: 'tools' }, metadata: undefined });
    await gate.reached;
    // The run's tool result is its 7th event; the stored checkpoint catches up within checkpointMs.
    socket.resume('whole', 'chat-old');
    socket.resume('from-2', 'chat-old', 2);
    expect(await socket.last('from-2')).toMatchObject({ type: 'error', errorText: expect.stringMatching(/no longer retained; resume without lastSequence/) });
    await waitUntil(() => socket.chunks('whole').some((c) => c.chunk.type === 'tool-output-available'), 'the replay to reach the first tool result');
    gate.release();
    expect(await socket.last('whole')).toEqual({ type: 'end', requestId: 'whole' });
    const replayed = socket.chunks('whole');
    expect(replayed.map((c) => c.sequence)).toEqual(replayed.map((_, i) => i));
    await expectMatchesStored(server, 'alice', await uiMessageOf(replayed.map((c) => c.chunk)));
  });
});
