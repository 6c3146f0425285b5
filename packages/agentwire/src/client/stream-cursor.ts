import type { ReplyDataMap, StreamEvent } from '../protocol/types.js';

/** Where the client is in the user's stream: what it asks to resume from. */
export interface StreamPosition {
  lastSeq: number;
  epoch: string;
}

export type SeqVerdict = 'new' | 'duplicate' | 'gap';

/**
 * Tracks the newest `seq` delivered to the app and the stream's `epoch`. Events at or
 * below the cursor are duplicates (dropped); an event past cursor + 1 is a gap, which
 * docs/protocol.md says to treat as a broken connection.
 */
export class StreamCursor {
  private position: StreamPosition | undefined;

  constructor(initial?: StreamPosition) {
    this.position = initial && { ...initial };
  }

  /** The resume query of the next connection; empty before the first connection. */
  get current(): StreamPosition | undefined {
    return this.position && { ...this.position };
  }

  /**
   * On `connection_established`: a resumed connection replays from our cursor, so it stays;
   * otherwise (first connection, or history lost) the stream restarts at the server's head.
   */
  established(data: ReplyDataMap['connection_established']): void {
    if (data.resumed && this.position) return;
    this.position = { lastSeq: data.last_seq, epoch: data.epoch };
  }

  judge(event: StreamEvent): SeqVerdict {
    const last = this.position?.lastSeq ?? 0;
    if (event.seq <= last) return 'duplicate';
    if (event.seq > last + 1) return 'gap';
    return 'new';
  }

  advance(event: StreamEvent): void {
    if (this.position) this.position.lastSeq = event.seq;
  }
}
