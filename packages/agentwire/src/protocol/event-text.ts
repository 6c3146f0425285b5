import type { StreamEvent, StreamEventDraft } from './types.js';

/**
 * The one writer and reader of a stream event's JSON text: what every socket of the user
 * receives, what an engine retains and publishes, and what HTTP serves raw. Engines treat
 * the text as opaque and come here to make or read it, so the wire shape (field order
 * included) is decided in this file only.
 */

/**
 * An event's text around its seq: `prefix + seq + suffix`. The Redis engine's append
 * script assigns the seq, so the text is written here in two halves and joined there.
 */
export interface EventTextHalves {
  readonly prefix: string;
  readonly suffix: string;
}

export function eventTextHalves(draft: StreamEventDraft, ts: string): EventTextHalves {
  return {
    prefix: `{"type":${JSON.stringify(draft.type)},"seq":`,
    suffix: `,"ts":${JSON.stringify(ts)},"thread_id":${JSON.stringify(draft.thread_id)}${draft.run_id === undefined ? '' : `,"run_id":${JSON.stringify(draft.run_id)}`},"data":${JSON.stringify(draft.data)}}`,
  };
}

/** The halves joined around `seq`, as the Redis append script joins them. */
export function joinEventText(halves: EventTextHalves, seq: number): string {
  return halves.prefix + seq + halves.suffix;
}

/** The text of a complete event. */
export function eventText(event: StreamEvent): string {
  return joinEventText(eventTextHalves(event as StreamEventDraft, event.ts), event.seq);
}

/** A retained or published text back to its event. */
export function readEventText(text: string): StreamEvent {
  return JSON.parse(text) as StreamEvent;
}

/** Where every event text's seq starts: right after the seq key, the first `"seq":` in it. */
const SEQ_KEY = '"seq":';

/**
 * The seq of an event text, without reading the rest: the fan-out hands most received
 * events to sockets, which need only the seq and the text (issue 19, "Redis engine").
 * The first `"seq":` is always the seq key: the type before it is a JSON string, and a
 * JSON string holds no unescaped quote. NaN when the text has no seq key.
 */
export function readEventSeq(text: string): number {
  const at = text.indexOf(SEQ_KEY);
  if (at < 0) return Number.NaN;
  let seq = 0;
  let i = at + SEQ_KEY.length;
  for (let code = text.charCodeAt(i); code >= 48 && code <= 57; code = text.charCodeAt(++i)) seq = seq * 10 + (code - 48);
  return i === at + SEQ_KEY.length ? Number.NaN : seq;
}
