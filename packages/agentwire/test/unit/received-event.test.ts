import { describe, expect, it } from 'vitest';
import { ReceivedEvent } from '../../src/bus/received-event.js';
import { eventText } from '../../src/protocol/event-text.js';
import type { StreamEvent } from '../../src/protocol/types.js';

const event = { type: 'agent_thinking', seq: 42, ts: '2026-01-01T00:00:00.000Z', thread_id: 'thr_1', run_id: 'run_1', data: { text: 'hm' } } as StreamEvent;

describe('an event received as text (src/bus/received-event.ts)', () => {
  it('has its seq at once and its event, read from the text, when asked', () => {
    const received = ReceivedEvent.read('u1', 'e1', eventText(event));
    expect(received.seq).toBe(42);
    expect(received.event).toEqual(event);
    expect(received.event).toBe(received.event);
    expect({ userId: received.userId, epoch: received.epoch, frame: received.frame }).toEqual({ userId: 'u1', epoch: 'e1', frame: eventText(event) });
  });

  it('does not read the rest of the text until asked: a text broken after its seq fails only then', () => {
    const received = ReceivedEvent.read('u1', 'e1', '{"type":"agent_thinking","seq":5,"ts":');
    expect(received.seq).toBe(5);
    expect(() => received.event).toThrow(SyntaxError);
  });

  it('a text without a readable seq is read at once: what is not JSON throws there, as before', () => {
    expect(() => ReceivedEvent.read('u1', 'e1', 'not json')).toThrow(SyntaxError);
    const odd = ReceivedEvent.read('u1', 'e1', '{"type":"agent_thinking","data":{}}');
    expect(odd.seq).toBeUndefined();
    expect(odd.event.type).toBe('agent_thinking');
  });
});
