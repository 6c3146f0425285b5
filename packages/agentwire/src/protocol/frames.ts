import type { Reply, ReplyDataMap, ReplyType } from './types.js';

/** Serialises a connection reply (no seq, not retained). */
export function replyFrame<T extends ReplyType>(type: T, data: ReplyDataMap[T]): string {
  return JSON.stringify({ type, data } as Reply<T>);
}
