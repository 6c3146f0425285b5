import type { StreamEvent, StreamEventDraft } from '../protocol/types.js';
import type { MessageStore } from '../store/types.js';
import { assistantMessageId, MessageCompactor } from './compaction.js';

export interface OrphanRun {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

/**
 * Stores the final message of a run whose process died, before another process appends
 * the events that end it (the orphan reaper): its last checkpoint, the run's retained
 * events after it, then the closing events, folded as the stream will show them.
 */
export async function storeOrphanEnding(
  messages: MessageStore,
  run: OrphanRun,
  runEvents: readonly StreamEvent[],
  closing: readonly StreamEventDraft[],
  epoch: string,
): Promise<void> {
  const stored = await messages.get(assistantMessageId(run.runId));
  const checkpoint = stored?.message.role === 'assistant' ? stored.message : undefined;
  const after = checkpoint && stored?.mark.epoch === epoch ? (stored.mark.seq ?? 0) : 0;
  const started = runEvents.find((e) => e.type === 'agent_started');
  const compactor = checkpoint
    ? MessageCompactor.from(checkpoint)
    : MessageCompactor.start(run.runId, started?.type === 'agent_started' ? started.data.agent_name : 'unknown', started?.ts ?? new Date().toISOString());
  let lastSeq: number | null = stored?.mark.seq ?? null;
  for (const event of runEvents) {
    if (event.seq <= after) continue;
    compactor.fold(event);
    lastSeq = event.seq;
  }
  const ts = new Date().toISOString();
  for (const draft of closing) compactor.fold({ ...draft, seq: 0, ts } as StreamEvent);
  await messages.putAssistant({
    userId: run.userId,
    threadId: run.threadId,
    message: compactor.message(),
    mark: { epoch, seq: lastSeq, terminalSeq: null },
  });
}
