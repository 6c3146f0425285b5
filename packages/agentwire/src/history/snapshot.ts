import type { EventLog, ReadResult } from '../bus/types.js';
import type { StreamEvent } from '../protocol/types.js';
import { isTerminalType } from '../protocol/terminal.js';
import type { AssistantMessage, MessageStore, StoredMessage, ThreadMessage, ThreadRecord } from '../store/types.js';
import { asRunning, MessageCompactor, startedUserMessage } from './compaction.js';

export interface ThreadSnapshot {
  readonly thread_id: string;
  readonly title: string;
  readonly messages: ThreadMessage[];
  readonly next_before: string | null;
  readonly stream: { readonly epoch: string; readonly last_seq: number };
}

export interface SnapshotDeps {
  readonly messages: MessageStore;
  readonly log: EventLog;
  /** How often a run in flight is checkpointed (RunRecorder): a stale checkpoint is waited for once. */
  readonly checkpointMs: number;
  readonly nowMs: () => number;
}

/**
 * A stored message whose stream event is not found among the retained events is taken as
 * appended long ago (retention dropped it) once it is older than this; younger, it is
 * still on its way to the stream, and the follower will receive it.
 */
const UNMARKED_GRACE_MS = 60_000;

/**
 * `GET /threads/:id/messages` (docs/protocol.md, "Snapshot, then follow"): the stored
 * messages brought to exactly one stream position. The store is read first, then the
 * stream, so every stored write reflects events at or below the stream head `H`; what the
 * store does not show yet (events after a run's checkpoint) is folded in from the
 * retained events up to `H`, and what the store shows ahead of the stream (a message
 * stored before its event was appended) is held back to how the stream stood at `H`.
 * A client that follows from `H` then receives exactly the rest.
 */
export async function threadSnapshot(
  deps: SnapshotDeps,
  thread: ThreadRecord,
  page: { limit: number; before?: string | undefined },
): Promise<ThreadSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.messages.page(thread.threadId, page);
    const read = await readNeeded(deps.log, thread.userId, stored.messages, page.before === undefined);
    const view = resolve(stored.messages, read, deps.nowMs());
    // A checkpoint behind retention is waited for once: a run still emitting writes a newer
    // one within `checkpointMs`; a run that had nothing more to write has nothing missing.
    if (view.uncovered > 0 && attempt === 1) {
      await new Promise((r) => setTimeout(r, deps.checkpointMs * 2));
      continue;
    }
    return {
      thread_id: thread.threadId,
      title: thread.title,
      messages: view.messages,
      next_before: stored.nextBefore,
      stream: { epoch: read.epoch, last_seq: read.lastSeq },
    };
  }
}

/** Reads the retained events the resolution needs: from the lowest mark still open, or just the head. */
async function readNeeded(log: EventLog, userId: string, messages: readonly StoredMessage[], newest: boolean): Promise<ReadResult> {
  let from: number | undefined;
  // Only on the newest page: on an older one, a user message's assistant message may be on the next page.
  const assistantRuns = newest ? new Set(messages.filter((m) => m.message.role === 'assistant').map((m) => m.message.run_id)) : undefined;
  const needed = messages.filter((stored) => needsStream(stored, assistantRuns));
  for (const stored of needed) {
    const seq = stored.mark.seq ?? 0;
    from = from === undefined ? seq : Math.min(from, seq);
  }
  if (from === undefined) return { ...(await log.head(userId)), events: [] };
  const read = await log.readAfter(userId, from);
  // Marks of another stream life say nothing about this one: read all that is retained.
  const otherLife = needed.some((m) => m.mark.seq !== null && m.mark.epoch !== read.epoch);
  return otherLife && from > 0 ? log.readAfter(userId, 0) : read;
}

function needsStream(stored: StoredMessage, assistantRuns: ReadonlySet<string> | undefined): boolean {
  const { message, mark } = stored;
  if (mark.seq === null) return true;
  // A user message whose run has no stored assistant message yet: its run may have started
  // since (a queued run, protocol 1.2, starts long after its message was marked).
  if (message.role === 'user') return assistantRuns !== undefined && !assistantRuns.has(message.run_id);
  // Every user message may still miss its assistant message (not checkpointed yet).
  return message.status === 'running' || mark.terminalSeq === null;
}

interface Resolution {
  readonly messages: ThreadMessage[];
  /** How many running messages have a checkpoint older than the oldest retained event. */
  readonly uncovered: number;
}

function resolve(stored: readonly StoredMessage[], read: ReadResult, nowMs: number): Resolution {
  const byRun = new Map<string, StreamEvent[]>();
  for (const { event } of read.events) {
    if (event.run_id === undefined) continue;
    let list = byRun.get(event.run_id);
    if (!list) byRun.set(event.run_id, (list = []));
    list.push(event);
  }
  const assistantRuns = new Set(stored.filter((s) => s.message.role === 'assistant').map((s) => s.message.run_id));
  const messages: ThreadMessage[] = [];
  let uncovered = 0;
  for (const item of stored) {
    const events = byRun.get(item.message.run_id) ?? [];
    if (item.message.role === 'user') {
      if (!userVisible(item, events, read, nowMs)) continue;
      // Its run may have events on the stream before its first checkpoint reached the store.
      const fromStream = assistantRuns.has(item.message.run_id) ? undefined : fromEvents(item.message.run_id, events);
      const started = fromStream !== undefined || assistantRuns.has(item.message.run_id);
      messages.push(started ? startedUserMessage(item.message) : item.message);
      if (fromStream) messages.push(fromStream);
      continue;
    }
    const assistant = assistantAt(item as StoredMessage & { message: AssistantMessage }, events, read, nowMs);
    if (assistant.uncovered) uncovered++;
    messages.push(assistant.message);
  }
  return { messages, uncovered };
}

function userVisible(item: StoredMessage, events: readonly StreamEvent[], read: ReadResult, nowMs: number): boolean {
  const { mark } = item;
  if (mark.seq !== null) return mark.epoch !== read.epoch || mark.seq <= read.lastSeq;
  if (events.some((e) => e.type === 'user_message')) return true;
  return nowMs - Date.parse(item.message.created_at) > UNMARKED_GRACE_MS;
}

function assistantAt(
  item: StoredMessage & { message: AssistantMessage },
  events: readonly StreamEvent[],
  read: ReadResult,
  nowMs: number,
): { message: AssistantMessage; uncovered: boolean } {
  const { message, mark } = item;
  const sameLife = mark.epoch === read.epoch;
  if (message.status !== 'running') {
    const final = { message, uncovered: false };
    if (!sameLife || (mark.terminalSeq !== null && mark.terminalSeq <= read.lastSeq)) return final;
    if (events.some((e) => isTerminalType(e.type))) return final;
    const covered = mark.seq === null || read.oldestSeq <= mark.seq + 1;
    // Stored before its terminal event was appended: show the run as the stream still had it.
    if (covered && nowMs - Date.parse(message.completed_at ?? message.created_at) < UNMARKED_GRACE_MS) return { message: asRunning(message), uncovered: false };
    return final;
  }
  const after = sameLife ? (mark.seq ?? 0) : 0;
  const compactor = MessageCompactor.from(message);
  for (const event of events) if (event.seq > after) compactor.fold(event);
  return { message: compactor.message(), uncovered: sameLife && read.oldestSeq > after + 1 && after < read.lastSeq };
}

/** A run whose assistant message is not stored yet, rebuilt from its retained events. */
function fromEvents(runId: string, events: readonly StreamEvent[]): AssistantMessage | undefined {
  const started = events.find((e) => e.type === 'agent_started');
  if (!started) return undefined;
  const compactor = MessageCompactor.start(runId, started.data.agent_name, started.ts);
  for (const event of events) compactor.fold(event);
  return compactor.message();
}
