import { MessageCompactor, startedUserMessage, userMessageId } from '../history/compaction.js';
import type { StreamEvent } from '../protocol/types.js';
import type { AssistantMessage, ThreadMessage, UserMessage } from '../store/types.js';

/**
 * One thread's messages as a live view holds them: a snapshot of `GET /threads/:id/messages`
 * plus the stream events after it (docs/protocol.md "Snapshot, then follow"). Events with
 * `seq <= floor` are already in the snapshot and are skipped, so nothing shows twice. Live
 * events are kept, so a snapshot that lands after them (or a refetch) is seeded and the
 * newer ones replayed on top. Assistant messages are folded by the server's own
 * MessageCompactor: what a tab shows mid-run is what history will say (one fold).
 */
export class ThreadFold {
  private messages: ThreadMessage[] = [];
  private readonly compactors = new Map<string, MessageCompactor>();
  private floor = 0;
  private seeded = false;
  private readonly seen = new Set<number>();
  private live: StreamEvent[] = [];

  constructor(readonly threadId: string) {}

  /** True once a snapshot was seeded (before that, `view()` holds live events only). */
  get hasSnapshot(): boolean {
    return this.seeded;
  }

  /** Replaces what is known with a snapshot at stream position `lastSeq`, then replays newer live events. */
  seed(messages: readonly ThreadMessage[], lastSeq: number): void {
    this.messages = [...messages];
    this.compactors.clear();
    this.seen.clear();
    this.floor = lastSeq;
    this.seeded = true;
    for (const event of this.live) this.applyOne(event);
  }

  /** Older messages (a page fetched with `before`): added in front, nothing replayed. */
  prepend(messages: readonly ThreadMessage[]): void {
    const known = new Set(this.messages.map((m) => m.message_id));
    this.messages = [...messages.filter((m) => !known.has(m.message_id)), ...this.messages];
  }

  /** Forgets live events of an earlier stream life (a fresh connection, a resume gap). */
  resetLive(): void {
    this.live = [];
  }

  /** Folds a live event of this thread; returns true when the view changed. */
  apply(event: StreamEvent): boolean {
    if (event.thread_id !== this.threadId) return false;
    this.live.push(event);
    return this.applyOne(event);
  }

  /** The messages, oldest first: a new array whenever something changed. */
  view(): readonly ThreadMessage[] {
    return this.messages;
  }

  private applyOne(event: StreamEvent): boolean {
    if (event.seq <= this.floor || this.seen.has(event.seq) || !event.run_id) return false;
    this.seen.add(event.seq);
    const runId = event.run_id;
    if (event.type === 'user_message') {
      const message: UserMessage = {
        message_id: userMessageId(runId),
        role: 'user',
        run_id: runId,
        client_msg_id: event.data.client_msg_id,
        text: event.data.text,
        created_at: event.ts,
        // Queued until its run starts, as history serves it (docs/protocol.md, "Busy threads").
        ...(event.data.queued === true && { queued: true as const }),
      };
      return this.put(message);
    }
    let compactor = this.compactors.get(runId);
    if (!compactor) {
      this.runStarted(runId);
      const stored = this.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.run_id === runId);
      const agentName = event.type === 'agent_started' ? event.data.agent_name : '';
      compactor = stored ? MessageCompactor.from(stored) : MessageCompactor.start(runId, agentName, event.ts);
      this.compactors.set(runId, compactor);
    }
    compactor.fold(event);
    return this.put(compactor.message());
  }

  /** The run has begun: its user message is no longer `queued` (history drops the flag then too). */
  private runStarted(runId: string): void {
    const index = this.messages.findIndex((m) => m.message_id === userMessageId(runId));
    const user = this.messages[index];
    if (user?.role === 'user' && user.queued) this.messages = this.messages.with(index, startedUserMessage(user));
  }

  /** Replaces the message with the same id, or appends it after its run's user message. */
  private put(message: ThreadMessage): boolean {
    const index = this.messages.findIndex((m) => m.message_id === message.message_id);
    if (index >= 0) this.messages = this.messages.with(index, message);
    else if (message.role === 'user') this.messages = [...this.messages, message];
    else {
      const userAt = this.messages.findIndex((m) => m.message_id === userMessageId(message.run_id));
      this.messages = userAt >= 0 ? this.messages.toSpliced(userAt + 1, 0, message) : [...this.messages, message];
    }
    return true;
  }
}

/** A run as a view shows it: the question and the assistant's message (absent until the run starts). */
export interface ThreadTurnView {
  runId: string;
  user?: UserMessage;
  assistant?: AssistantMessage;
}

/** Groups messages by run, in the order the runs appear. */
export function turnsOf(messages: readonly ThreadMessage[]): ThreadTurnView[] {
  const turns = new Map<string, ThreadTurnView>();
  for (const message of messages) {
    const turn = turns.get(message.run_id) ?? { runId: message.run_id };
    if (message.role === 'user') turn.user = message;
    else turn.assistant = message;
    turns.set(message.run_id, turn);
  }
  return [...turns.values()];
}
