import { describe, expect, it } from 'vitest';
import { createFrameParser, type InboundResult } from '../../src/protocol/inbound.js';

const parse = createFrameParser({ maxTextBytes: 16, maxClientMsgIdLength: 128 });
const json = (value: unknown): InboundResult => parse(JSON.stringify(value));

function failure(result: InboundResult) {
  if (result.ok) throw new Error(`expected a failure, parsed ${JSON.stringify(result.frame)}`);
  return result;
}

describe('createFrameParser', () => {
  describe('valid frames', () => {
    it('parses each client frame type', () => {
      expect(json({ type: 'ping' })).toEqual({ ok: true, frame: { type: 'ping' } });
      expect(json({ type: 'ping', client_ts: 1234 })).toEqual({ ok: true, frame: { type: 'ping', client_ts: 1234 } });
      expect(json({ type: 'stop_agent', run_id: 'run_1' })).toEqual({ ok: true, frame: { type: 'stop_agent', run_id: 'run_1' } });
      expect(json({ type: 'user_message', client_msg_id: 'c1', text: 'hi', thread_id: 'thr_1', agent: 'demo' })).toEqual({
        ok: true,
        frame: { type: 'user_message', client_msg_id: 'c1', text: 'hi', thread_id: 'thr_1', agent: 'demo' },
      });
    });

    it('parses the protocol 1.2 frames: approve_tool, tool_result (result of any JSON, or error), client_tools', () => {
      expect(json({ type: 'approve_tool', run_id: 'r', tool_call_id: 'c', approved: false, reason: 'no' })).toEqual({
        ok: true,
        frame: { type: 'approve_tool', run_id: 'r', tool_call_id: 'c', approved: false, reason: 'no' },
      });
      for (const result of [null, 0, 'noon', [1], { local: '09:15' }]) {
        expect(json({ type: 'tool_result', run_id: 'r', tool_call_id: 'c', result })).toEqual({ ok: true, frame: { type: 'tool_result', run_id: 'r', tool_call_id: 'c', result } });
      }
      expect(json({ type: 'tool_result', run_id: 'r', tool_call_id: 'c', error: 'denied' }).ok).toBe(true);
      const tool = { name: 'local_time', description: 'now', parameters: { type: 'object', properties: {} } };
      expect(json({ type: 'user_message', client_msg_id: 'c1', text: 'hi', client_tools: [tool] })).toEqual({
        ok: true,
        frame: { type: 'user_message', client_msg_id: 'c1', text: 'hi', client_tools: [tool] },
      });
    });

    it('drops unknown extra fields (forward compatibility)', () => {
      expect(json({ type: 'stop_agent', run_id: 'r', v2_field: { x: 1 } })).toEqual({ ok: true, frame: { type: 'stop_agent', run_id: 'r' } });
    });

    it('accepts text exactly at the byte limit and client_msg_id exactly at 128', () => {
      expect(json({ type: 'user_message', client_msg_id: 'c'.repeat(128), text: 'x'.repeat(16) }).ok).toBe(true);
      expect(json({ type: 'user_message', client_msg_id: 'c', text: '€€€€€' }).ok).toBe(true); // 15 bytes
    });
  });

  describe('invalid_json', () => {
    it.each(['', 'hello', '{"type":', "{'type':'ping'}", '[]', '[{"type":"ping"}]', '"x"', '3', 'true', 'null'])('%j', (text) => {
      expect(failure(parse(text))).toMatchObject({ code: 'invalid_json', message: expect.any(String) });
    });
  });

  describe('unknown_type', () => {
    it.each(['launch', 'PING', 'constructor', '__proto__', 'toString', 'hasOwnProperty', ''])('type %j', (type) => {
      expect(failure(json({ type }))).toMatchObject({ code: 'unknown_type' });
    });

    it('quotes at most 64 characters of the unknown type', () => {
      const result = failure(json({ type: 't'.repeat(10_000) }));
      expect(result.message.length).toBeLessThan(120);
    });
  });

  describe('invalid_message, naming the field', () => {
    const cases: Array<[string, unknown, string]> = [
      ['missing type', { text: 'hi' }, 'type'],
      ['numeric type', { type: 1 }, 'type'],
      ['null type', { type: null }, 'type'],
      ['object type', { type: { name: 'ping' } }, 'type'],
      ['missing client_msg_id', { type: 'user_message', text: 'hi' }, 'client_msg_id'],
      ['numeric client_msg_id', { type: 'user_message', client_msg_id: 1, text: 'hi' }, 'client_msg_id'],
      ['empty client_msg_id', { type: 'user_message', client_msg_id: '', text: 'hi' }, 'client_msg_id'],
      ['client_msg_id over 128', { type: 'user_message', client_msg_id: 'c'.repeat(129), text: 'hi' }, 'client_msg_id'],
      ['missing text', { type: 'user_message', client_msg_id: 'c' }, 'text'],
      ['text not a string', { type: 'user_message', client_msg_id: 'c', text: ['hi'] }, 'text'],
      ['empty text', { type: 'user_message', client_msg_id: 'c', text: '' }, 'text'],
      ['text over the byte limit', { type: 'user_message', client_msg_id: 'c', text: 'x'.repeat(17) }, 'text'],
      ['text over the limit in UTF-8 only', { type: 'user_message', client_msg_id: 'c', text: '€€€€€€' }, 'text'],
      ['thread_id not a string', { type: 'user_message', client_msg_id: 'c', text: 'hi', thread_id: 5 }, 'thread_id'],
      ['thread_id null', { type: 'user_message', client_msg_id: 'c', text: 'hi', thread_id: null }, 'thread_id'],
      ['empty thread_id', { type: 'user_message', client_msg_id: 'c', text: 'hi', thread_id: '' }, 'thread_id'],
      ['thread_id over 128', { type: 'user_message', client_msg_id: 'c', text: 'hi', thread_id: 't'.repeat(129) }, 'thread_id'],
      ['agent not a string', { type: 'user_message', client_msg_id: 'c', text: 'hi', agent: true }, 'agent'],
      ['agent over 64', { type: 'user_message', client_msg_id: 'c', text: 'hi', agent: 'a'.repeat(65) }, 'agent'],
      ['missing run_id', { type: 'stop_agent' }, 'run_id'],
      ['numeric run_id', { type: 'stop_agent', run_id: 7 }, 'run_id'],
      ['empty run_id', { type: 'stop_agent', run_id: '' }, 'run_id'],
    ];
    it.each(cases)('%s', (_name, frame, field) => {
      const result = failure(json(frame));
      expect(result.code).toBe('invalid_message');
      expect(result.message).toContain(field);
    });
  });

  describe('echoed ids', () => {
    it('echoes a plain client_msg_id and run_id of a bad frame', () => {
      expect(failure(json({ type: 'user_message', client_msg_id: 'c9' }))).toMatchObject({ clientMsgId: 'c9' });
      expect(failure(json({ type: 'nope', run_id: 'r9' }))).toMatchObject({ runId: 'r9' });
    });

    it('does not echo ids that are not short strings', () => {
      const long = failure(json({ type: 'user_message', client_msg_id: 'c'.repeat(129), text: 'hi' }));
      expect(long).not.toHaveProperty('clientMsgId');
      const numeric = failure(json({ type: 'stop_agent', run_id: 7 }));
      expect(numeric).not.toHaveProperty('runId');
      expect(failure(parse('not json'))).not.toHaveProperty('clientMsgId');
    });
  });

  it('never throws, whatever the input', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const nasty = ['\u0000', '{"type":"ping","client_ts":' + deep + '}', deep, '{"__proto__":{"type":"ping"}}', '\ud800', 'x'.repeat(1_000_000)];
    for (const text of nasty) expect(() => parse(text)).not.toThrow();
    expect(failure(parse('{"__proto__":{"type":"ping"}}')).code).toBe('invalid_message');
  });

  it('honours its configured limits', () => {
    const strict = createFrameParser({ maxTextBytes: 4, maxClientMsgIdLength: 3 });
    expect(strict(JSON.stringify({ type: 'user_message', client_msg_id: 'abc', text: 'abcd' })).ok).toBe(true);
    expect(failure(strict(JSON.stringify({ type: 'user_message', client_msg_id: 'abcd', text: 'a' }))).message).toContain('client_msg_id');
    expect(failure(strict(JSON.stringify({ type: 'user_message', client_msg_id: 'a', text: 'abcde' }))).message).toContain('text');
  });
});
