import type { Bus } from '../bus/types.js';

/**
 * How long a queued run waits for a word that its thread advanced before it looks again
 * anyway: the word travels on pub/sub, which may drop it (a Redis reconnect), and a run
 * whose process died leaves the queue only when the orphan reaper ends it.
 */
export const TURN_RECHECK_MS = 2000;

export interface QueuedRun {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

/**
 * Resolves when `run` is the head of its thread's queue (docs/protocol.md, "Busy threads":
 * runs of one thread never overlap); rejects with the signal's reason when the run is
 * stopped while it waits. Earlier runs that ended without leaving the queue (their process
 * died after their end, or the reaper ended them) are taken out here, so a dead process
 * never blocks a thread for longer than it takes to notice it.
 */
export async function waitForTurn(bus: Bus, run: QueuedRun, signal: AbortSignal, recheckMs = TURN_RECHECK_MS): Promise<void> {
  const { userId, threadId, runId } = run;
  for (;;) {
    signal.throwIfAborted();
    // Listening before reading: an advance between the read and the wait is not missed.
    const advanced = nextAdvance(bus, threadId, signal, recheckMs);
    try {
      const queue = await bus.queues.list(userId, threadId);
      const index = queue.indexOf(runId);
      if (index <= 0) return;
      if ((await dropEnded(bus, run, queue.slice(0, index))) > 0) continue;
      await advanced.promise;
    } finally {
      advanced.cancel();
    }
  }
}

/** Takes out of the thread's queue the runs that ended without leaving it; resolves with how many. */
export async function dropEndedRuns(bus: Bus, thread: Omit<QueuedRun, 'runId'>): Promise<number> {
  return dropEnded(bus, thread, await bus.queues.list(thread.userId, thread.threadId));
}

async function dropEnded(bus: Bus, thread: Omit<QueuedRun, 'runId'>, runIds: readonly string[]): Promise<number> {
  const ended: string[] = [];
  await Promise.all(
    runIds.map(async (id) => {
      // Gone (expired) or finished: its terminal event is on the stream, or its process is dead and reaped.
      // Its terminal event appended: finished in a moment (the directory is told right after).
      const record = await bus.runs.get(id);
      if (record?.status !== 'running' || (await bus.log.hasEnded(thread.userId, id))) ended.push(id);
    }),
  );
  await Promise.all(ended.map((id) => bus.queues.leave(thread.userId, thread.threadId, id)));
  return ended.length;
}

/** Settles on the thread's next advance, after `recheckMs`, or (rejecting) when the signal aborts. */
function nextAdvance(bus: Bus, threadId: string, signal: AbortSignal, recheckMs: number): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(signal.reason);
    };
    const off = bus.queues.onAdvanced((advancedThread) => {
      if (advancedThread !== threadId) return;
      cancel();
      resolve();
    });
    const timer = setTimeout(() => {
      cancel();
      resolve();
    }, recheckMs);
    signal.addEventListener('abort', onAbort, { once: true });
    cancel = () => {
      off();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
  });
  // Cancelled without being awaited (the run was already at the head): never an unhandled rejection.
  promise.catch(() => {});
  return { promise, cancel };
}
