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
