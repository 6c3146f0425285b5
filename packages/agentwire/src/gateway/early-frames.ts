import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';

/**
 * Frames a client may send before its connection is live (authentication, join) are kept
 * and answered afterwards, in order. Bounded, because authentication can wait on the
 * network (a JWKS fetch): an unbounded buffer let an unauthenticated socket push 92 MB
 * (issue 12). Beyond the bound the socket is closed with 1009 ("too big"): what was sent
 * before the server could answer is, taken together, a message too large to accept; 1008
 * would tell the client SDK its credentials were bad, which they may not be.
 */
export const MAX_EARLY_FRAMES = 32;
export const MAX_EARLY_BYTES = 64 * 1024;

export interface EarlyFrames {
  /** Stops buffering and hands back what was kept, in arrival order. */
  drain(): Array<[RawData, boolean]>;
  /** True once the bound was passed and the socket closed. */
  readonly overflowed: boolean;
}

export function bufferEarlyFrames(ws: WebSocket, maxFrames = MAX_EARLY_FRAMES, maxBytes = MAX_EARLY_BYTES): EarlyFrames {
  const kept: Array<[RawData, boolean]> = [];
  let bytes = 0;
  let overflowed = false;
  const keep = (data: RawData, isBinary: boolean): void => {
    if (overflowed) return;
    bytes += byteLength(data);
    if (kept.length >= maxFrames || bytes > maxBytes) {
      overflowed = true;
      kept.length = 0;
      ws.off('message', keep);
      ws.close(CloseCode.tooBig, 'too many frames before the connection was established');
      // A client pushing frames may never read the close frame; do not wait on it.
      setTimeout(() => ws.terminate(), 2000).unref();
      return;
    }
    kept.push([data, isBinary]);
  };
  ws.on('message', keep);
  return {
    drain() {
      ws.off('message', keep);
      return kept.splice(0);
    },
    get overflowed() {
      return overflowed;
    },
  };
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
