import { describe, expect, it } from 'vitest';
import { eventText, eventTextHalves, joinEventText, readEventSeq, readEventText } from '../../src/protocol/event-text.js';
import type { StreamEvent, StreamEventDraft } from '../../src/protocol/types.js';

const drafts: StreamEventDraft[] = [
  { type: 'agent_started', thread_id: 'thr_1', run_id: 'run_1', data: { agent_name: 'demo' } },
  { type: 'agent_message_delta', thread_id: 'thr_1', run_id: 'run_1', data: { message_id: 'msg_1', delta: 'quote " backslash \\ newline \n emoji 🎉' } },
  { type: 'agent_error', thread_id: 'thr_"2', run_id: 'run_2', data: { code: 'failed', message: 'x', duration_ms: 12 } },
];

describe('the stream event text', () => {
  it('joined from its halves equals the text of the whole event, which is what JSON.stringify writes', () => {
    for (const [index, draft] of drafts.entries()) {
      const ts = new Date(1_700_000_000_000 + index).toISOString();
      const seq = 41 + index;
      const event = { type: draft.type, seq, ts, thread_id: draft.thread_id, run_id: draft.run_id, data: draft.data } as StreamEvent;
      const text = joinEventText(eventTextHalves(draft, ts), seq);
      expect(text).toBe(eventText(event));
      // The memory engine wrote JSON.stringify(event) before this module: the wire is unchanged.
      expect(text).toBe(JSON.stringify(event));
    }
  });

  it('reads back to the event it was written from', () => {
    const draft = drafts[1]!;
    const event = { ...draft, seq: 7, ts: '2026-01-01T00:00:00.000Z' } as StreamEvent;
    expect(readEventText(eventText(event))).toEqual(event);
  });

  it('puts the fields in the documented order: type, seq, ts, thread_id, run_id, data', () => {
    const event = { ...drafts[0]!, seq: 1, ts: '2026-01-01T00:00:00.000Z' } as StreamEvent;
    expect(Object.keys(JSON.parse(eventText(event)) as object)).toEqual(['type', 'seq', 'ts', 'thread_id', 'run_id', 'data']);
  });

  it('gives the seq of a text without reading the rest, also when thread id or data hold "seq":', () => {
    const tricky: StreamEventDraft = { type: 'agent_data', thread_id: 'thr_"seq":1', run_id: 'run_1', data: { name: 'n', data: { seq: 99, note: '"seq":7' } } };
    for (const [index, draft] of [...drafts, tricky].entries()) {
      const seq = [0, 7, 1234567890123, 9, 10][index]!;
      expect(readEventSeq(eventText({ ...draft, seq, ts: '2026-01-01T00:00:00.000Z' } as StreamEvent))).toBe(seq);
    }
    expect(readEventSeq('{"type":"agent_thinking","ts":"x"}')).toBeNaN();
    expect(readEventSeq('{"type":"agent_thinking","seq":"7"}')).toBeNaN();
    expect(readEventSeq('not json')).toBeNaN();
  });
});
