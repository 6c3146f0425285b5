import { readEventSeq, readEventText } from '../protocol/event-text.js';
import type { StreamEvent } from '../protocol/types.js';

/**
 * An event an engine has as text (pub/sub, a stream read): its seq is read at once, the
 * rest only when someone asks for `event`. Sockets need only the seq and the text, so a
 * fan-out or a resume no longer parses every event it writes (issue 19, "Redis engine");
 * other followers (run streams, AG-UI) read `event` as before. It has the shape of an
 * `AppendedEvent` (src/bus/types.ts) and is used as one; it only defers reading the text.
 */
export class ReceivedEvent {
  constructor(
    readonly userId: string,
    readonly epoch: string,
    readonly frame: string,
    readonly seq: number,
    private parsed?: StreamEvent,
  ) {}

  /**
   * The event of `frame`, its seq read from the text; a text without a readable seq is
   * parsed at once instead, so what is not JSON throws here, as reading it always did.
   */
  static read(userId: string, epoch: string, frame: string): ReceivedEvent {
    const seq = readEventSeq(frame);
    if (Number.isSafeInteger(seq)) return new ReceivedEvent(userId, epoch, frame, seq);
    const event = readEventText(frame);
    return new ReceivedEvent(userId, epoch, frame, event.seq, event);
  }

  get event(): StreamEvent {
    return (this.parsed ??= readEventText(this.frame));
  }
}
