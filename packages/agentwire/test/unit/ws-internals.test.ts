import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../../src/gateway/text-frame.js';
import { rawStreamOf, senderIdle } from '../../src/gateway/ws-internals.js';

/*
 * The direct write bypasses `ws.send` by reading ws's private fields. This test is the one
 * place that says whether the installed ws still has the shape that relies on: if a ws
 * upgrade fails it, re-read ws's Sender and WebSocket and update src/gateway/ws-internals.ts.
 */

const require = createRequire(import.meta.url);
/** ws's own framing, the reference the hand-built frame must match byte for byte. */
const { Sender } = require('ws') as { Sender: { frame(data: Buffer, options: object): Buffer[] } };

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A connected pair: the server side socket (what the gateway holds) and its client. */
async function pair(compress: boolean): Promise<{ server: WebSocket; client: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: compress });
  servers.push(wss);
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: compress });
  clients.push(client);
  const [[server]] = await Promise.all([accepted, once(client, 'open')]);
  return { server, client };
}

describe('the ws internals of the direct write', () => {
  it('find the byte stream of an uncompressed server socket, with an idle sender', async () => {
    const { server } = await pair(false);
    expect(rawStreamOf(server)).toBeDefined();
    expect(senderIdle(server)).toBe(true);
  });

  it('refuse the direct write once permessage-deflate is negotiated', async () => {
    const { server } = await pair(true);
    expect(rawStreamOf(server)).toBeUndefined();
  });

  it('let a frame written to the stream arrive as the text message ws.send would send', async () => {
    const { server, client } = await pair(false);
    const received = once(client, 'message') as Promise<[Buffer, boolean]>;
    rawStreamOf(server)!.write(textFrame('{"type":"x"} é 🎉'));
    const [data, isBinary] = await received;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe('{"type":"x"} é 🎉');
  });
});

describe('textFrame', () => {
  it("is byte for byte ws's own unmasked final text frame, at every length encoding", () => {
    for (const length of [0, 1, 125, 126, 65_535, 65_536, 200_000]) {
      const text = 'a'.repeat(length);
      const reference = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
      expect(textFrame(text).equals(reference), `length ${length}`).toBe(true);
    }
  });
});
