import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoAgent, createGateway, type Gateway, type Logger } from '../../src/index.js';

const SECRET = 'agentwire-announce-secret-0123456789abcdef';
const gateways: Gateway[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

function gatewayWith(extra: { quiet?: boolean; logger?: Logger }): Gateway {
  const gateway = createGateway({ auth: { jwt: { secret: SECRET } }, agents: [createDemoAgent()], ...extra });
  gateways.push(gateway);
  return gateway;
}

describe('the library says where it listens (issue 13 point 10)', () => {
  it('one line on stdout when its server starts listening, naming the ws:// URL', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { port } = await gatewayWith({}).listen(0);
    expect(log.mock.calls).toEqual([[`agentwire: gateway listening on ws://127.0.0.1:${port}/ws`]]);
  });

  it('nothing when told to be quiet', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await gatewayWith({ quiet: true }).listen(0);
    expect(log).not.toHaveBeenCalled();
  });

  it('through the given logger instead of stdout', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const lines: unknown[] = [];
    const logger = { info: (...args: unknown[]) => lines.push(args), warn: () => {}, error: () => {}, debug: () => {} } as unknown as Logger;
    const { port } = await gatewayWith({ logger }).listen(0);
    expect(log).not.toHaveBeenCalled();
    expect(lines).toEqual([[{ url: `ws://127.0.0.1:${port}/ws` }, 'agentwire gateway listening']]);
  });
});
