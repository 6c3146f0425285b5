import type { EventLog, Subscription } from '../bus/types.js';
import type { StreamEvent } from '../protocol/types.js';
import { isTerminalType } from '../protocol/terminal.js';

/** How following one run ended. */
export type RunFollowEnd = 'ended' | 'stopped' | 'reset';

export type RunFollow =
  /** Resolves when the run's terminal event was delivered, following was stopped, or the stream lost its history. */
  | { readonly complete: true; readonly done: Promise<RunFollowEnd> }
  /** The stream no longer retains the run's events after `afterSeq` (retention dropped them): nothing was delivered. */
  | { readonly complete: false };

/**
 * Replays one run's retained events from its user's stream and then follows it live, each
 * event exactly once and in seq order, up to its terminal event: the "replay, then follow"
 * of docs/protocol.md ("Resuming") applied to one run. The subscription starts before the
 * read, and events seen by both are dropped by seq, so nothing between them is lost. It
 * reads the shared stream, so a run executing on another process is followed alike.
 */
export async function followRun(
  log: EventLog,
  userId: string,
  runId: string,
  /** Replays the run's events after this seq; 0: the whole run, which must then start with its `user_message`. */
  afterSeq: number,
  onEvent: (event: StreamEvent) => void,
  signal: AbortSignal,
): Promise<RunFollow> {
  let last = afterSeq;
  let live = false;
  const early: StreamEvent[] = [];
  let finish!: (end: RunFollowEnd) => void;
  const done = new Promise<RunFollowEnd>((resolve) => (finish = resolve));
  // Called back only once `subscription` below is assigned (by its listeners, the signal, or after the read).
  const end = (how: RunFollowEnd): void => {
    subscription.close();
    finish(how);
  };
  const deliver = (event: StreamEvent): void => {
    if (event.seq <= last || signal.aborted) return;
    last = event.seq;
    onEvent(event);
    if (isTerminalType(event.type)) end('ended');
  };
  const subscription: Subscription = log.subscribe(
    userId,
    ({ event }) => {
      if (event.run_id !== runId) return;
      if (live) deliver(event);
      else early.push(event);
    },
    () => end('reset'),
  );
  signal.addEventListener('abort', () => end('stopped'), { once: true });
  await subscription.ready;
  const read = await log.readAfter(userId, afterSeq);
  const retained = read.events.filter((e) => e.event.run_id === runId).map((e) => e.event);
  // A whole run starts with its user_message; a later position must still be retained.
  const complete = afterSeq === 0 ? retained[0]?.type === 'user_message' || read.oldestSeq <= 1 : read.oldestSeq <= afterSeq + 1;
  if (!complete) {
    end('stopped');
    return { complete: false };
  }
  for (const event of retained) deliver(event);
  for (const event of early) deliver(event);
  live = true;
  if (signal.aborted) end('stopped');
  return { complete: true, done };
}
