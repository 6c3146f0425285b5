import { describe, expect, it } from 'vitest';
import { createFrameParser, type InboundResult } from '../../src/protocol/inbound.js';

const parse = createFrameParser({ maxTextBytes: 1024, maxClientMsgIdLength: 128 });
const json = (value: unknown): InboundResult => parse(JSON.stringify(value));

describe('inbound frames (issue 12, bounded resources)', () => {
  it('finding: ping.client_ts is a number or a string of at most 64 characters, so a pong cannot be made large', () => {
    expect(json({ type: 'ping', client_ts: 1234.5 })).toEqual({ ok: true, frame: { type: 'ping', client_ts: 1234.5 } });
    expect(json({ type: 'ping', client_ts: 'x'.repeat(64) }).ok).toBe(true);
    // Each of these was echoed back verbatim: 63 KB pongs to sockets that never read.
    for (const client_ts of ['x'.repeat(65), 'x'.repeat(63_000), { a: 'x'.repeat(1000) }, ['x'], true, null]) {
      const result = json({ type: 'ping', client_ts });
      expect(result, JSON.stringify(client_ts).slice(0, 40)).toMatchObject({ ok: false, code: 'invalid_message' });
      expect(result.ok === false && result.message).toMatch(/^client_ts/);
    }
    expect(parse('{"type":"ping","client_ts":1e999}'), 'Infinity echoes as null').toMatchObject({ ok: false, code: 'invalid_message' });
  });

  it('finding: the refresh frame (protocol 1.1) is parsed with its token, and refused without one', () => {
    expect(json({ type: 'refresh', token: 'a.b.c' })).toEqual({ ok: true, frame: { type: 'refresh', token: 'a.b.c' } });
    for (const frame of [{ type: 'refresh' }, { type: 'refresh', token: '' }, { type: 'refresh', token: 42 }, { type: 'refresh', token: 'x'.repeat(8193) }]) {
      const result = json(frame);
      expect(result).toMatchObject({ ok: false, code: 'invalid_message' });
      expect(result.ok === false && result.message).toMatch(/^token/);
    }
  });
});
